//! The code generator: walks the syntax tree with the symbol table at hand and emits one
//! [`Code`] per scope. Control flow out of `try`/`with`/loops (`return`, `break`,
//! `continue`) is compiled as CPython 3.10 does: the compiler unwinds its own stack of
//! frame blocks, emitting `PopBlock`/`PopExcept` and copies of `finally` bodies.

use super::symtable::{self, NameScope, ScopeKind, SymbolTable};
use super::warnings::{self, CompileWarning};
use crate::code::{flags, BinOp, CmpOp, Code, Instr, SourceFile, UnaryOp};
use crate::intern::Interner;
use crate::str::Str;
use crate::value::Value;
use aio_lexer::{Span, SyntaxError};
use aio_parser::ast::{self, *};
// foldhash (hashbrown's default) instead of SipHash: the keys are the program's names.
use hashbrown::HashMap;
use std::rc::Rc;

/// How the input is compiled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// A file or string run as a module.
    Exec,
    /// One REPL input: expression statements echo their value; top-level `await` allowed.
    Interactive,
    /// The argument of `eval`: a module holding one expression statement, whose value the
    /// code returns. Names are looked up as in a class body (the locals mapping first, then
    /// the globals, then the builtins), as CPython's `eval` mode does.
    Eval,
    /// The code of `exec` and `compile(..., 'exec')`: a module whose top-level names are
    /// looked up as in `Eval`, since its namespace (the locals mapping) may not be its
    /// globals. (`Exec` reads and writes top-level names in the globals directly.)
    ExecCode,
    /// `compile(..., 'single')`: one statement (see `Vm::compile_single`) whose expression
    /// statements print their value, as in `Interactive` but without top-level `await`;
    /// names as in `ExecCode`.
    Single,
}

impl Mode {
    /// Whether module-level names live in the frame's namespace rather than its globals.
    fn names_in_namespace(self) -> bool {
        matches!(self, Mode::Eval | Mode::ExecCode | Mode::Single)
    }

    /// Whether top-level expression statements print their value.
    fn echoes(self) -> bool {
        matches!(self, Mode::Interactive | Mode::Single)
    }
}

/// Compiles a parsed module into its code object, with the `SyntaxWarning`s found on the
/// way (for the caller to issue).
pub fn compile(
    module: &Module,
    source: Rc<SourceFile>,
    mode: Mode,
    interner: &mut Interner,
    types: &crate::types::Types,
    ellipsis: &Value,
    empty_tuple: &Value,
) -> Result<(Rc<Code>, Vec<CompileWarning>), SyntaxError> {
    let table = symtable::build(module, mode == Mode::Interactive)
        .map_err(|e| SyntaxError::new(e.message, e.span))?;
    let mut c = Compiler {
        table: &table,
        source,
        interner,
        types,
        ellipsis: ellipsis.clone(),
        empty_tuple: empty_tuple.clone(),
        bytes_consts: HashMap::new(),
        units: Vec::new(),
        mode,
        future_annotations: false,
        future_imports: future_imports(&module.body),
        warnings: Vec::new(),
    };
    c.future_annotations = c.future_imports.iter().any(|s| {
        matches!(&s.kind, StmtKind::ImportFrom { names, .. }
            if names.iter().any(|a| a.name == "annotations"))
    });
    c.push_unit(0, "<module>", "<module>", Span::new(0, 0), 1);
    if mode == Mode::Interactive {
        c.unit().flags |= flags::TOP_LEVEL_AWAIT;
    }
    let body = &module.body;
    if mode.echoes() {
        // An input has no docstring: a lone string is an expression to echo (as in
        // CPython's 'single' mode).
        if find_ann(body) {
            c.emit(Instr::SetupAnnotations);
        }
        c.stmts(body)?;
    } else if mode == Mode::Eval {
        match body.as_slice() {
            [Stmt {
                kind: StmtKind::Expr(e),
                ..
            }] => {
                c.expr(e)?;
                c.emit(Instr::ReturnValue);
            }
            _ => return Err(SyntaxError::new("invalid syntax", module.span)),
        }
    } else {
        c.docstring_and_body(body, false)?;
    }
    if !ends_with_return(&c.unit().instrs) {
        c.load_const(Value::None);
        c.emit(Instr::ReturnValue);
    }
    // With top-level `await` allowed, a module body that awaits is a coroutine (as with
    // CPython's `PyCF_ALLOW_TOP_LEVEL_AWAIT`); the host runs it on its event loop.
    if mode == Mode::Interactive
        && c.unit().instrs.iter().any(|i| {
            matches!(
                i,
                Instr::GetAwaitable(_) | Instr::GetAIter | Instr::GetANext | Instr::BeforeAsyncWith
            )
        })
    {
        c.unit().flags |= flags::COROUTINE;
    }
    let warnings = std::mem::take(&mut c.warnings);
    Ok((c.pop_unit(), warnings))
}

/// The leading `from __future__ import ...` statements of a module (after its docstring).
fn future_imports(body: &[Stmt]) -> Vec<&Stmt> {
    let is_doc = |s: &Stmt| {
        matches!(
            &s.kind,
            StmtKind::Expr(Expr {
                kind: ExprKind::Constant(Constant::Str(_)),
                ..
            })
        )
    };
    let skip = usize::from(body.first().is_some_and(is_doc));
    body[skip..]
        .iter()
        .take_while(|s| is_future_import(s))
        .collect()
}

fn is_future_import(s: &Stmt) -> bool {
    matches!(&s.kind, StmtKind::ImportFrom { module: Some(m), level: 0, .. } if m == "__future__")
}

/// Whether a module or class body holds an annotated assignment (CPython's `find_ann`):
/// such bodies start by creating `__annotations__`.
fn find_ann(body: &[Stmt]) -> bool {
    body.iter().any(|s| match &s.kind {
        StmtKind::AnnAssign { .. } => true,
        StmtKind::For { body, orelse, .. }
        | StmtKind::While { body, orelse, .. }
        | StmtKind::If { body, orelse, .. } => find_ann(body) || find_ann(orelse),
        StmtKind::With { body, .. } => find_ann(body),
        StmtKind::Try {
            body,
            handlers,
            orelse,
            finalbody,
            ..
        } => {
            find_ann(body)
                || handlers.iter().any(|h| find_ann(&h.body))
                || find_ann(orelse)
                || find_ann(finalbody)
        }
        StmtKind::Match { cases, .. } => cases.iter().any(|c| find_ann(&c.body)),
        _ => false,
    })
}

/// True when the code cannot fall off its end: it ends with a return that no jump skips
/// (`if c: return x` as a last statement jumps past its return to the implicit one).
fn ends_with_return(instrs: &[Instr]) -> bool {
    let end = instrs.len() as u32;
    matches!(instrs.last(), Some(Instr::ReturnValue))
        && !instrs
            .iter()
            .any(|i| super::dis::jump_target(i) == Some(end))
}

/// A compile-time block the compiler must unwind on `return`/`break`/`continue`.
#[derive(Clone)]
enum FBlock<'a> {
    /// A `while` loop: continue target, break jumps to patch.
    While { top: usize, breaks: Vec<usize> },
    /// A `for` loop (its iterator is on the stack).
    For { top: usize, breaks: Vec<usize> },
    /// The body of `try ... finally`.
    FinallyTry(&'a [Stmt]),
    /// A `finally` body running because of an exception (the exception is on the stack).
    FinallyEnd,
    /// A `with` body (`__exit__` is on the stack).
    With { is_async: bool },
    /// An `except` body (the handler block is pushed).
    HandlerCleanup { name: Option<&'a str> },
    /// A `try` body with `except` handlers.
    Try,
    /// A `finally` body run inline by `return`, with the return value kept below it on the
    /// stack: a `break`/`continue`/`return` inside the body drops that value (CPython's
    /// `POP_VALUE` block).
    PopValue,
}

struct Unit<'a> {
    scope: usize,
    kind: ScopeKind,
    name: Rc<Str>,
    qualname: String,
    instrs: Vec<Instr>,
    spans: Vec<Span>,
    consts: Vec<Value>,
    const_map: HashMap<ConstKey, u32>,
    names: Vec<Rc<Str>>,
    name_map: HashMap<String, u32>,
    varnames: Vec<Rc<Str>>,
    var_map: HashMap<String, u32>,
    cellvars: Vec<Rc<Str>>,
    freevars: Vec<Rc<Str>>,
    fblocks: Vec<FBlock<'a>>,
    span: Span,
    flags: u32,
    argcount: u32,
    posonly: u32,
    kwonly: u32,
    firstlineno: u32,
    doc: Value,
    /// Inside a loop body compiled within an `except` handler etc., `continue`/`break` ok.
    in_async_comprehension: bool,
}

#[derive(Hash, PartialEq, Eq)]
enum ConstKey {
    None,
    Bool(bool),
    Int(i64),
    Float(u64),
    Str(String),
    Bytes(Vec<u8>),
    Ellipsis,
}

struct Compiler<'t, 'i> {
    table: &'t SymbolTable,
    source: Rc<SourceFile>,
    interner: &'i mut Interner,
    types: &'i crate::types::Types,
    ellipsis: Value,
    /// The VM's one empty tuple, the constant `()` folds to (`() is ()`, as in CPython).
    empty_tuple: Value,
    /// The bytes constants made so far: equal literals of one compilation are one object,
    /// as CPython's compiler merges constants.
    bytes_consts: HashMap<Vec<u8>, Value>,
    units: Vec<Unit<'t>>,
    mode: Mode,
    /// `from __future__ import annotations`: annotations are stored as source strings.
    future_annotations: bool,
    /// The `from __future__` imports at the beginning of the module (the only place they
    /// are allowed).
    future_imports: Vec<&'t Stmt>,
    /// The `SyntaxWarning`s found so far, in source order of the checks.
    warnings: Vec<CompileWarning>,
}

type CResult<T = ()> = Result<T, SyntaxError>;

/// The span CPython 3.11 leaves current after compiling `test` as a jump condition: the
/// last comparison it evaluates (looking through `not`, `and`/`or` and conditional
/// expressions), or `None` when there is none. An `assert`'s `AssertionError` is raised with
/// that span, so `assert x > 1` marks `x > 1` in a traceback.
fn condition_span(test: &Expr) -> Option<Span> {
    match &test.kind {
        ExprKind::Compare { .. } => Some(test.span),
        ExprKind::UnaryOp {
            op: ast::UnaryOp::Not,
            operand,
        } => condition_span(operand),
        ExprKind::BoolOp { values, .. } => values.iter().rev().find_map(condition_span),
        ExprKind::IfExp { test, body, orelse } => [test, body, orelse]
            .into_iter()
            .rev()
            .find_map(|e| condition_span(e)),
        _ => None,
    }
}

/// `SyntaxError: keyword argument repeated: x` for a call naming `x` twice.
fn check_repeated_keywords(keywords: &[Keyword]) -> CResult {
    for (i, k) in keywords.iter().enumerate() {
        if let Some(name) = &k.arg {
            if keywords[..i]
                .iter()
                .any(|o| o.arg.as_ref().is_some_and(|n| n.name == name.name))
            {
                return error(format!("keyword argument repeated: {}", name.name), k.span);
            }
        }
    }
    Ok(())
}

fn error<T>(message: impl Into<String>, span: Span) -> CResult<T> {
    Err(SyntaxError::new(message, span))
}

impl<'t, 'i> Compiler<'t, 'i> {
    // ---- units -------------------------------------------------------------------------

    fn push_unit(
        &mut self,
        scope: usize,
        name: &str,
        qualname: &str,
        span: Span,
        firstlineno: u32,
    ) {
        let s = &self.table.scopes[scope];
        let mut unit = Unit {
            scope,
            kind: s.kind,
            name: self.interner.intern(name),
            qualname: qualname.to_string(),
            instrs: Vec::new(),
            spans: Vec::new(),
            consts: Vec::new(),
            const_map: HashMap::new(),
            names: Vec::new(),
            name_map: HashMap::new(),
            varnames: Vec::new(),
            var_map: HashMap::new(),
            cellvars: Vec::new(),
            freevars: Vec::new(),
            fblocks: Vec::new(),
            span,
            flags: 0,
            argcount: 0,
            posonly: 0,
            kwonly: 0,
            firstlineno,
            doc: Value::None,
            in_async_comprehension: false,
        };
        if matches!(
            s.kind,
            ScopeKind::Function | ScopeKind::Lambda | ScopeKind::Comprehension
        ) {
            unit.flags |= flags::OPTIMIZED | flags::NEWLOCALS;
            if s.nested {
                unit.flags |= flags::NESTED;
            }
            for p in &s.params {
                let n = self.interner.intern(p);
                unit.var_map.insert(p.clone(), unit.varnames.len() as u32);
                unit.varnames.push(n);
            }
            if s.is_generator && s.is_coroutine {
                unit.flags |= flags::ASYNC_GENERATOR;
            } else if s.is_generator {
                unit.flags |= flags::GENERATOR;
            } else if s.is_coroutine {
                unit.flags |= flags::COROUTINE;
            }
        }
        // Cells: locals captured by inner scopes (plus `__class__` for classes that need it).
        for n in s.names() {
            if s.lookup(n) == NameScope::Cell {
                unit.cellvars.push(self.interner.intern(n));
            }
        }
        if s.kind == ScopeKind::Class && s.needs_class_cell {
            unit.cellvars.push(self.interner.intern("__class__"));
        }
        for n in &s.free_order {
            unit.freevars.push(self.interner.intern(n));
        }
        // In name order, as CPython lists `co_cellvars` and `co_freevars` (and so orders
        // `__closure__`).
        unit.cellvars.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        unit.freevars.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        self.units.push(unit);
    }

    fn pop_unit(&mut self) -> Rc<Code> {
        let u = self.units.pop().expect("unit");
        let cell2arg: Vec<Option<u32>> = u
            .cellvars
            .iter()
            .map(|c| {
                u.var_map
                    .get(c.as_str())
                    .copied()
                    .filter(|&i| (i as usize) < self.table.scopes[u.scope].params.len())
            })
            .collect();
        let mut instrs = u.instrs;
        super::peephole::thread_jumps(&mut instrs);
        super::peephole::return_in_place(&mut instrs);
        let max_stack = estimate_stack(&instrs);
        super::peephole::fuse_pairs(&mut instrs);
        super::peephole::assert_closed(&instrs);
        let qualname = self.interner.intern(&u.qualname);
        let global_cache = crate::code::GlobalCache::table(u.names.len());
        let attr_cache = crate::code::AttrCache::table(instrs.len());
        Rc::new(Code {
            name: u.name,
            qualname,
            source: self.source.clone(),
            instrs: instrs.into_boxed_slice(),
            spans: u.spans.into_boxed_slice(),
            doc: u.doc,
            consts: u.consts.into_boxed_slice(),
            names: u.names.into_boxed_slice(),
            varnames: u.varnames.into_boxed_slice(),
            cellvars: u.cellvars.into_boxed_slice(),
            freevars: u.freevars.into_boxed_slice(),
            cell2arg: cell2arg.into_boxed_slice(),
            argcount: u.argcount,
            posonlyargcount: u.posonly,
            kwonlyargcount: u.kwonly,
            flags: u.flags,
            max_stack,
            firstlineno: u.firstlineno,
            global_cache,
            attr_cache,
        })
    }

    fn unit(&mut self) -> &mut Unit<'t> {
        self.units.last_mut().expect("unit")
    }

    fn scope(&self) -> &'t symtable::Scope {
        &self.table.scopes[self.units.last().expect("unit").scope]
    }

    // ---- emission ----------------------------------------------------------------------

    fn emit(&mut self, i: Instr) -> usize {
        let u = self.unit();
        u.instrs.push(i);
        let span = u.span;
        u.spans.push(span);
        u.instrs.len() - 1
    }

    fn here(&mut self) -> usize {
        self.unit().instrs.len()
    }

    /// Points the jump at `at` to the next instruction.
    fn patch(&mut self, at: usize) {
        let target = self.here() as u32;
        self.patch_to(at, target);
    }

    fn patch_to(&mut self, at: usize, target: u32) {
        let i = &mut self.unit().instrs[at];
        *i = match *i {
            Instr::Jump(_) => Instr::Jump(target),
            Instr::PopJumpIfFalse(_) => Instr::PopJumpIfFalse(target),
            Instr::PopJumpIfTrue(_) => Instr::PopJumpIfTrue(target),
            Instr::JumpIfFalseOrPop(_) => Instr::JumpIfFalseOrPop(target),
            Instr::JumpIfTrueOrPop(_) => Instr::JumpIfTrueOrPop(target),
            Instr::ForIter(_) => Instr::ForIter(target),
            Instr::SetupFinally(_) => Instr::SetupFinally(target),
            Instr::SetupWith(_) => Instr::SetupWith(target),
            Instr::JumpIfNotExcMatch(_) => Instr::JumpIfNotExcMatch(target),
            other => other,
        };
    }

    fn with_span<T>(&mut self, span: Span, f: impl FnOnce(&mut Self) -> CResult<T>) -> CResult<T> {
        let saved = std::mem::replace(&mut self.unit().span, span);
        let r = f(self);
        self.unit().span = saved;
        r
    }

    fn load_const(&mut self, v: Value) {
        let i = self.add_const(v);
        self.emit(Instr::LoadConst(i));
    }

    fn add_const(&mut self, v: Value) -> u32 {
        let key = match &v {
            Value::None => Some(ConstKey::None),
            Value::Bool(b) => Some(ConstKey::Bool(b.get())),
            Value::Int(i) => Some(ConstKey::Int(*i)),
            Value::Float(f) => Some(ConstKey::Float(f.get().to_bits())),
            Value::Str(s) => Some(ConstKey::Str(s.as_str().to_string())),
            Value::Obj(o) if matches!(o.payload, crate::object::Payload::Plain) => {
                Some(ConstKey::Ellipsis)
            }
            Value::Obj(o) => match &o.payload {
                crate::object::Payload::Bytes(b) => Some(ConstKey::Bytes(b.to_vec())),
                _ => None,
            },
        };
        let u = self.unit();
        if let Some(k) = key {
            if let Some(&i) = u.const_map.get(&k) {
                return i;
            }
            u.const_map.insert(k, u.consts.len() as u32);
        }
        u.consts.push(v);
        (u.consts.len() - 1) as u32
    }

    fn name_index(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.unit().name_map.get(name) {
            return i;
        }
        let n = self.interner.intern(name);
        let u = self.unit();
        u.name_map.insert(name.to_string(), u.names.len() as u32);
        u.names.push(n);
        (u.names.len() - 1) as u32
    }

    fn var_index(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.unit().var_map.get(name) {
            return i;
        }
        let n = self.interner.intern(name);
        let u = self.unit();
        u.var_map.insert(name.to_string(), u.varnames.len() as u32);
        u.varnames.push(n);
        (u.varnames.len() - 1) as u32
    }

    fn deref_index(&mut self, name: &str) -> u32 {
        let u = self.unit();
        if let Some(i) = u.cellvars.iter().position(|c| c.as_str() == name) {
            return i as u32;
        }
        if let Some(i) = u.freevars.iter().position(|c| c.as_str() == name) {
            return (u.cellvars.len() + i) as u32;
        }
        // A free variable discovered late (e.g. passing through a class body).
        let n = self.interner.intern(name);
        let u = self.unit();
        u.freevars.push(n);
        (u.cellvars.len() + u.freevars.len() - 1) as u32
    }

    // ---- names -------------------------------------------------------------------------

    fn mangle(&self, name: &str) -> String {
        // Private names (`__x` inside a class) are renamed `_Class__x`.
        if !name.starts_with("__") || name.ends_with("__") || name.contains('.') {
            return name.to_string();
        }
        for u in self.units.iter().rev() {
            if u.kind == ScopeKind::Class {
                let cls = u.name.as_str().trim_start_matches('_');
                if cls.is_empty() {
                    return name.to_string();
                }
                return format!("_{cls}{name}");
            }
        }
        name.to_string()
    }

    fn name_op(&mut self, name: &str, ctx: Ctx) -> CResult {
        let scope = self.scope();
        let sc = scope.lookup(name);
        let kind = scope.kind;
        let is_function = matches!(
            kind,
            ScopeKind::Function | ScopeKind::Lambda | ScopeKind::Comprehension
        );
        let instr = match sc {
            NameScope::Free | NameScope::Cell => {
                let i = self.deref_index(name);
                match ctx {
                    Ctx::Load if kind == ScopeKind::Class => Instr::LoadClassDeref(i),
                    Ctx::Load => Instr::LoadDeref(i),
                    Ctx::Store => Instr::StoreDeref(i),
                    Ctx::Del => Instr::DeleteDeref(i),
                }
            }
            NameScope::Local if is_function => {
                let i = self.var_index(name);
                match ctx {
                    Ctx::Load => Instr::LoadFast(i),
                    Ctx::Store => Instr::StoreFast(i),
                    Ctx::Del => Instr::DeleteFast(i),
                }
            }
            NameScope::GlobalExplicit => {
                let i = self.name_index(name);
                match ctx {
                    Ctx::Load => Instr::LoadGlobal(i),
                    Ctx::Store => Instr::StoreGlobal(i),
                    Ctx::Del => Instr::DeleteGlobal(i),
                }
            }
            NameScope::GlobalImplicit if is_function => {
                let i = self.name_index(name);
                match ctx {
                    Ctx::Load => Instr::LoadGlobal(i),
                    Ctx::Store => Instr::StoreGlobal(i),
                    Ctx::Del => Instr::DeleteGlobal(i),
                }
            }
            _ if kind == ScopeKind::Module && !self.mode.names_in_namespace() => {
                let i = self.name_index(name);
                match ctx {
                    Ctx::Load => Instr::LoadGlobal(i),
                    Ctx::Store => Instr::StoreGlobal(i),
                    Ctx::Del => Instr::DeleteGlobal(i),
                }
            }
            _ => {
                let i = self.name_index(name);
                match ctx {
                    Ctx::Load => Instr::LoadName(i),
                    Ctx::Store => Instr::StoreName(i),
                    Ctx::Del => Instr::DeleteName(i),
                }
            }
        };
        self.emit(instr);
        Ok(())
    }

    /// Whether `e` is a name that is a fast local of the function being compiled.
    fn is_fast_local(&self, e: &Expr) -> bool {
        let ExprKind::Name(n) = &e.kind else {
            return false;
        };
        let scope = self.scope();
        matches!(
            scope.kind,
            ScopeKind::Function | ScopeKind::Lambda | ScopeKind::Comprehension
        ) && scope.lookup(&self.mangle(n)) == NameScope::Local
    }

    fn load_name(&mut self, name: &str) -> CResult {
        self.name_op(name, Ctx::Load)
    }

    fn store_name(&mut self, name: &str) -> CResult {
        self.name_op(name, Ctx::Store)
    }

    // ---- statements --------------------------------------------------------------------

    fn docstring_and_body(&mut self, body: &'t [Stmt], is_function: bool) -> CResult {
        let mut rest = body;
        if !is_function && self.scope().kind != ScopeKind::Function && find_ann(body) {
            self.emit(Instr::SetupAnnotations);
        }
        if let Some(first) = body.first() {
            if let StmtKind::Expr(Expr {
                kind: ExprKind::Constant(Constant::Str(s)),
                ..
            }) = &first.kind
            {
                let doc = Value::str(s.as_str());
                if is_function {
                    self.unit().doc = doc;
                    rest = &body[1..];
                } else if self.scope().kind != ScopeKind::Function {
                    self.unit().span = first.span;
                    self.unit().doc = doc.clone();
                    self.load_const(doc);
                    self.store_name("__doc__")?;
                    rest = &body[1..];
                }
            }
        }
        self.stmts(rest)
    }

    fn stmts(&mut self, body: &'t [Stmt]) -> CResult {
        for s in body {
            self.stmt(s)?;
        }
        Ok(())
    }

    fn stmt(&mut self, s: &'t Stmt) -> CResult {
        self.with_span(s.span, |c| c.stmt_inner(s))
    }

    fn stmt_inner(&mut self, s: &'t Stmt) -> CResult {
        match &s.kind {
            StmtKind::FunctionDef(f) => self.function_def(f, s.span),
            StmtKind::ClassDef(cd) => self.class_def(cd, s.span),
            StmtKind::Return(value) => self.return_stmt(value.as_ref(), s.span),
            StmtKind::Delete(targets) => {
                for t in targets {
                    self.delete(t)?;
                }
                Ok(())
            }
            StmtKind::Assign { targets, value } => {
                self.expr(value)?;
                for (i, t) in targets.iter().enumerate() {
                    if i + 1 < targets.len() {
                        self.emit(Instr::DupTop);
                    }
                    self.assign(t)?;
                }
                Ok(())
            }
            StmtKind::AugAssign { target, op, value } => self.aug_assign(target, *op, value),
            StmtKind::AnnAssign {
                target,
                annotation,
                value,
                simple,
            } => {
                if let Some(v) = value {
                    self.expr(v)?;
                    self.assign(target)?;
                }
                // Annotations are evaluated only in a module or class body (CPython's
                // `compiler_annassign`); a simple name's goes into `__annotations__`.
                let stores = self.scope().kind != ScopeKind::Function;
                match &target.kind {
                    ExprKind::Name(n) if *simple && stores => {
                        self.annotation(annotation)?;
                        self.load_name("__annotations__")?;
                        self.load_const(Value::str(n.as_str()));
                        self.emit(Instr::StoreSubscr);
                    }
                    ExprKind::Attribute { value: obj, .. } if value.is_none() => {
                        self.expr(obj)?;
                        self.emit(Instr::PopTop);
                    }
                    ExprKind::Subscript { value: obj, slice } if value.is_none() => {
                        self.expr(obj)?;
                        self.emit(Instr::PopTop);
                        self.expr(slice)?;
                        self.emit(Instr::PopTop);
                    }
                    _ => {}
                }
                if !*simple && stores && !self.future_annotations {
                    self.expr(annotation)?;
                    self.emit(Instr::PopTop);
                }
                Ok(())
            }
            StmtKind::For {
                is_async,
                target,
                iter,
                body,
                orelse,
            } => {
                if *is_async {
                    self.async_for(target, iter, body, orelse, s.span)
                } else {
                    self.for_loop(target, iter, body, orelse)
                }
            }
            StmtKind::While { test, body, orelse } => self.while_loop(test, body, orelse),
            StmtKind::If { test, body, orelse } => {
                self.expr(test)?;
                let jf = self.emit(Instr::PopJumpIfFalse(0));
                self.stmts(body)?;
                if orelse.is_empty() {
                    self.patch(jf);
                } else {
                    let je = self.emit(Instr::Jump(0));
                    self.patch(jf);
                    self.stmts(orelse)?;
                    self.patch(je);
                }
                Ok(())
            }
            StmtKind::With {
                is_async,
                items,
                body,
            } => self.with_stmt(*is_async, items, body, s.span),
            StmtKind::Match { subject, cases } => self.match_stmt(subject, cases),
            StmtKind::Raise { exc, cause } => {
                let mut n = 0;
                if let Some(e) = exc {
                    self.expr(e)?;
                    n = 1;
                    if let Some(c) = cause {
                        self.expr(c)?;
                        n = 2;
                    }
                }
                self.emit(Instr::Raise(n));
                Ok(())
            }
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
                is_star,
            } => {
                if finalbody.is_empty() {
                    self.try_except(body, handlers, orelse, *is_star)
                } else {
                    self.try_finally(body, handlers, orelse, finalbody, *is_star)
                }
            }
            StmtKind::Assert { test, msg } => {
                if let Some(message) = warnings::assert(test) {
                    self.warn(s.span, message);
                }
                self.expr(test)?;
                let j = self.emit(Instr::PopJumpIfTrue(0));
                let span = condition_span(test).unwrap_or(s.span);
                self.with_span(span, |c| {
                    c.emit(Instr::LoadAssertionError);
                    if let Some(m) = msg {
                        c.expr(m)?;
                        c.emit(Instr::Call(1));
                    }
                    c.emit(Instr::Raise(1));
                    Ok(())
                })?;
                self.patch(j);
                Ok(())
            }
            StmtKind::Import(aliases) => {
                for a in aliases {
                    self.with_span(s.span, |c| {
                        c.load_const(Value::Int(0));
                        c.load_const(Value::None);
                        let i = c.name_index(&a.name);
                        c.emit(Instr::ImportName(i));
                        match &a.asname {
                            Some(asname) => {
                                // `import a.b.c as d` binds the innermost module.
                                let parts: Vec<&str> = a.name.split('.').collect();
                                for p in &parts[1..] {
                                    let i = c.name_index(p);
                                    c.emit(Instr::ImportFrom(i));
                                    c.emit(Instr::RotTwo);
                                    c.emit(Instr::PopTop);
                                }
                                c.store_name(&asname.name)
                            }
                            None => {
                                let first = a.name.split('.').next().unwrap_or("");
                                c.store_name(first)
                            }
                        }
                    })?;
                }
                Ok(())
            }
            StmtKind::ImportFrom {
                module,
                names,
                level,
            } => {
                if is_future_import(s) {
                    self.check_future_import(s, names)?;
                }
                self.load_const(Value::Int(*level as i64));
                let fromlist: Vec<Value> =
                    names.iter().map(|a| Value::str(a.name.as_str())).collect();
                let t = crate::builtins::make_tuple_const(self.types, fromlist);
                self.load_const(t);
                let i = self.name_index(module.as_deref().unwrap_or(""));
                self.emit(Instr::ImportName(i));
                if names.len() == 1 && names[0].name == "*" {
                    self.emit(Instr::ImportStar);
                    return Ok(());
                }
                for a in names {
                    self.with_span(s.span, |c| {
                        let i = c.name_index(&a.name);
                        c.emit(Instr::ImportFrom(i));
                        let bound = a
                            .asname
                            .as_ref()
                            .map(|n| n.name.as_str())
                            .unwrap_or(&a.name);
                        c.store_name(bound)
                    })?;
                }
                self.emit(Instr::PopTop);
                Ok(())
            }
            StmtKind::Global(_) | StmtKind::Nonlocal(_) | StmtKind::Pass => Ok(()),
            StmtKind::Expr(e) => {
                if self.mode.echoes() && self.units.len() == 1 {
                    self.expr(e)?;
                    self.emit(Instr::PrintExpr);
                    return Ok(());
                }
                if let ExprKind::Constant(_) = &e.kind {
                    return Ok(());
                }
                self.expr(e)?;
                self.emit(Instr::PopTop);
                Ok(())
            }
            StmtKind::Break => self.break_stmt(s.span),
            StmtKind::Continue => self.continue_stmt(s.span),
        }
    }

    fn function_def(&mut self, f: &'t FunctionDef, span: Span) -> CResult {
        for d in &f.decorators {
            self.expr(d)?;
        }
        let firstlineno = self.source.lines().line(
            f.decorators
                .first()
                .map(|d| d.span.start.saturating_sub(1))
                .unwrap_or(span.start),
        );
        let firstlineno = if f.decorators.is_empty() {
            self.source.lines().line(span.start)
        } else {
            firstlineno
        };
        let scope = self.table.scope_of(f);
        let qualname = self.qualname(&f.name.name);
        let mut make_flags = self.defaults(&f.args)?;
        if self.annotations(&f.args, f.returns.as_ref())? {
            make_flags |= 4;
        }
        self.push_unit(scope, &f.name.name, &qualname, span, firstlineno);
        self.set_arg_counts(&f.args);
        self.docstring_and_body(&f.body, true)?;
        if !ends_with_return(&self.unit().instrs) {
            self.unit().span = Span::at(span.end);
            self.load_const(Value::None);
            self.emit(Instr::ReturnValue);
        }
        let code = self.pop_unit();
        self.make_closure(code, make_flags)?;
        self.apply_decorators(&f.decorators)?;
        let stored = self.mangle(&f.name.name);
        self.store_name(&stored)
    }

    fn qualname(&self, name: &str) -> String {
        // CPython: enclosing function → `f.<locals>.name`; class → `C.name`.
        let Some(parent) = self.units.last() else {
            return name.to_string();
        };
        match parent.kind {
            ScopeKind::Module => name.to_string(),
            ScopeKind::Class => format!("{}.{}", parent.qualname, name),
            _ => format!("{}.<locals>.{}", parent.qualname, name),
        }
    }

    fn set_arg_counts(&mut self, a: &Arguments) {
        let u = self.unit();
        u.argcount = (a.posonlyargs.len() + a.args.len()) as u32;
        u.posonly = a.posonlyargs.len() as u32;
        u.kwonly = a.kwonlyargs.len() as u32;
        if a.vararg.is_some() {
            u.flags |= flags::VARARGS;
        }
        if a.kwarg.is_some() {
            u.flags |= flags::VARKEYWORDS;
        }
    }

    /// Pushes the defaults tuple and kw-defaults dict; returns `MakeFunction` flags.
    fn defaults(&mut self, a: &'t Arguments) -> CResult<u32> {
        let mut fl = 0;
        if !a.defaults.is_empty() {
            for d in &a.defaults {
                self.expr(d)?;
            }
            self.emit(Instr::BuildTuple(a.defaults.len() as u32));
            fl |= 1;
        }
        let kw: Vec<(&Arg, &Expr)> = a
            .kwonlyargs
            .iter()
            .zip(&a.kw_defaults)
            .filter_map(|(arg, d)| d.as_ref().map(|d| (arg, d)))
            .collect();
        if !kw.is_empty() {
            for (arg, d) in &kw {
                self.load_const(Value::str(arg.name.name.as_str()));
                self.expr(d)?;
            }
            self.emit(Instr::BuildMap(kw.len() as u32));
            fl |= 2;
        }
        Ok(fl)
    }

    /// `from __future__ import x`: only at the top of the module, only known features.
    fn check_future_import(&self, s: &'t Stmt, names: &[Alias]) -> CResult {
        if !self.future_imports.iter().any(|f| std::ptr::eq(*f, s)) {
            return error(
                "from __future__ imports must occur at the beginning of the file",
                s.span,
            );
        }
        for a in names {
            if a.name == "braces" {
                return error("not a chance", Span::at(s.span.start));
            }
            if !crate::builtins::FUTURE_FEATURES.contains(&a.name.as_str()) {
                return error(
                    format!("future feature {} is not defined", a.name),
                    Span::at(s.span.start),
                );
            }
        }
        Ok(())
    }

    /// Pushes a function's `__annotations__` dict (parameters in order, then `return`);
    /// false when nothing is annotated.
    fn annotations(&mut self, a: &'t Arguments, returns: Option<&'t Expr>) -> CResult<bool> {
        let params = a
            .posonlyargs
            .iter()
            .chain(&a.args)
            .chain(&a.vararg)
            .chain(&a.kwonlyargs)
            .chain(&a.kwarg);
        let mut n = 0;
        for p in params {
            if let Some(ann) = &p.annotation {
                self.load_const(Value::str(p.name.name.as_str()));
                self.annotation(ann)?;
                n += 1;
            }
        }
        if let Some(r) = returns {
            self.load_const(Value::str("return"));
            self.annotation(r)?;
            n += 1;
        }
        if n > 0 {
            self.emit(Instr::BuildMap(n));
        }
        Ok(n > 0)
    }

    /// Pushes an annotation's value: the expression, or its source text under
    /// `from __future__ import annotations`.
    fn annotation(&mut self, e: &'t Expr) -> CResult {
        if self.future_annotations {
            let text = self.source.text[e.span.start as usize..e.span.end as usize].to_string();
            self.load_const(Value::str(text));
            Ok(())
        } else {
            self.expr(e)
        }
    }

    fn make_closure(&mut self, code: Rc<Code>, mut make_flags: u32) -> CResult {
        if !code.freevars.is_empty() {
            for name in code.freevars.iter() {
                let n = name.as_str().to_string();
                let i = {
                    let u = self.unit();
                    if let Some(i) = u.cellvars.iter().position(|c| c.as_str() == n) {
                        i as u32
                    } else if let Some(i) = u.freevars.iter().position(|c| c.as_str() == n) {
                        (u.cellvars.len() + i) as u32
                    } else {
                        let nn = self.interner.intern(&n);
                        let u = self.unit();
                        u.freevars.push(nn);
                        (u.cellvars.len() + u.freevars.len() - 1) as u32
                    }
                };
                self.emit(Instr::LoadClosure(i));
            }
            self.emit(Instr::BuildTuple(code.freevars.len() as u32));
            make_flags |= 8;
        }
        let c = self.add_const(Value::Obj(crate::builtins::code_object(self.types, code)));
        self.emit(Instr::LoadConst(c));
        self.emit(Instr::MakeFunction(make_flags));
        Ok(())
    }

    /// Calls the decorators on the function or class on the stack, innermost first; each
    /// call carries its decorator's span, so a traceback shows the `@` line (CPython 3.11).
    fn apply_decorators(&mut self, decorators: &'t [Expr]) -> CResult {
        for d in decorators.iter().rev() {
            self.with_span(d.span, |c| Ok(c.emit(Instr::Call(1))))?;
        }
        Ok(())
    }

    fn class_def(&mut self, cd: &'t ClassDef, span: Span) -> CResult {
        for d in &cd.decorators {
            self.expr(d)?;
        }
        let scope = self.table.scope_of(cd);
        let qualname = self.qualname(&cd.name.name);
        let firstlineno = self.source.lines().line(span.start);
        self.emit(Instr::LoadBuildClass);
        self.push_unit(scope, &cd.name.name, &qualname, span, firstlineno);
        self.load_name_raw("__name__", true);
        self.store_raw("__module__");
        self.load_const(Value::str(qualname.as_str()));
        self.store_raw("__qualname__");
        self.docstring_and_body(&cd.body, false)?;
        if self.scope().needs_class_cell {
            let i = self.deref_index("__class__");
            self.emit(Instr::LoadClosure(i));
            self.emit(Instr::DupTop);
            self.store_raw("__classcell__");
        } else {
            self.load_const(Value::None);
        }
        self.emit(Instr::ReturnValue);
        let code = self.pop_unit();
        self.make_closure(code, 0)?;
        self.load_const(Value::str(cd.name.name.as_str()));
        self.call_helper(2, &cd.bases, &cd.keywords, span)?;
        self.apply_decorators(&cd.decorators)?;
        let stored = self.mangle(&cd.name.name);
        self.store_name(&stored)
    }

    fn load_name_raw(&mut self, name: &str, global: bool) {
        let i = self.name_index(name);
        self.emit(if global {
            Instr::LoadGlobal(i)
        } else {
            Instr::LoadName(i)
        });
    }

    fn store_raw(&mut self, name: &str) {
        let i = self.name_index(name);
        self.emit(Instr::StoreName(i));
    }

    fn return_stmt(&mut self, value: Option<&'t Expr>, span: Span) -> CResult {
        let kind = self.scope().kind;
        if !matches!(kind, ScopeKind::Function | ScopeKind::Lambda) {
            return error("'return' outside function", span);
        }
        if value.is_some() && self.unit().flags & flags::ASYNC_GENERATOR != 0 {
            return error("'return' with value in async generator", span);
        }
        match value {
            Some(v) => self.expr(v)?,
            None => self.load_const(Value::None),
        }
        self.unwind_all(true)?;
        self.with_span(span, |c| {
            c.emit(Instr::ReturnValue);
            Ok(())
        })
    }

    /// Emits the exits of every open block (for `return`), keeping TOS when `preserve`.
    fn unwind_all(&mut self, preserve: bool) -> CResult {
        let blocks = self.unit().fblocks.clone();
        for (depth, b) in blocks.iter().enumerate().rev() {
            self.unwind_block(b, preserve, depth)?;
        }
        Ok(())
    }

    fn unwind_block(&mut self, b: &FBlock<'t>, preserve: bool, depth: usize) -> CResult {
        match b {
            FBlock::While { .. } => {}
            // Leaving a `try` body early: drop its handler, as CPython's POP_BLOCK does.
            FBlock::Try => {
                self.emit(Instr::PopBlock);
            }
            FBlock::For { .. } => {
                if preserve {
                    self.emit(Instr::RotTwo);
                }
                self.emit(Instr::PopTop);
            }
            FBlock::FinallyTry(body) => {
                self.emit(Instr::PopBlock);
                // The finally body runs with only the blocks outside it.
                let saved = self.unit().fblocks.split_off(depth);
                if preserve {
                    self.unit().fblocks.push(FBlock::PopValue);
                }
                let r = self.stmts(body);
                if preserve {
                    self.unit().fblocks.pop();
                }
                self.unit().fblocks.extend(saved);
                r?;
            }
            FBlock::PopValue => {
                if preserve {
                    self.emit(Instr::RotTwo);
                }
                self.emit(Instr::PopTop);
            }
            FBlock::FinallyEnd => {
                if preserve {
                    self.emit(Instr::RotTwo);
                }
                self.emit(Instr::PopTop);
                self.emit(Instr::PopExcept);
            }
            FBlock::With { is_async } => {
                self.emit(Instr::PopBlock);
                if preserve {
                    self.emit(Instr::RotTwo);
                }
                self.load_const(Value::None);
                self.emit(Instr::DupTop);
                self.emit(Instr::DupTop);
                self.emit(Instr::Call(3));
                if *is_async {
                    self.emit(Instr::GetAwaitable(2));
                    self.load_const(Value::None);
                    self.emit(Instr::YieldFrom);
                }
                self.emit(Instr::PopTop);
            }
            FBlock::HandlerCleanup { name } => {
                if let Some(n) = name {
                    self.emit(Instr::PopBlock);
                    self.emit(Instr::PopExcept);
                    self.load_const(Value::None);
                    self.store_name(n)?;
                    self.name_op(n, Ctx::Del)?;
                } else {
                    self.emit(Instr::PopExcept);
                }
            }
        }
        Ok(())
    }

    fn loop_index(&self) -> Option<usize> {
        let u = self.units.last()?;
        u.fblocks.iter().rposition(|b| match b {
            FBlock::While { top, .. } | FBlock::For { top, .. } => *top != usize::MAX,
            _ => false,
        })
    }

    fn break_stmt(&mut self, span: Span) -> CResult {
        let Some(li) = self.loop_index() else {
            return error("'break' outside loop", span);
        };
        let blocks = self.unit().fblocks.clone();
        for (depth, b) in blocks.iter().enumerate().skip(li + 1).rev() {
            self.unwind_block(b, false, depth)?;
        }
        if let FBlock::For { .. } = &blocks[li] {
            self.emit(Instr::PopTop);
        }
        let j = self.emit(Instr::Jump(0));
        match &mut self.unit().fblocks[li] {
            FBlock::While { breaks, .. } | FBlock::For { breaks, .. } => breaks.push(j),
            _ => {}
        }
        Ok(())
    }

    fn continue_stmt(&mut self, span: Span) -> CResult {
        let Some(li) = self.loop_index() else {
            return error("'continue' not properly in loop", span);
        };
        let blocks = self.unit().fblocks.clone();
        for (depth, b) in blocks.iter().enumerate().skip(li + 1).rev() {
            self.unwind_block(b, false, depth)?;
        }
        let top = match &blocks[li] {
            FBlock::While { top, .. } | FBlock::For { top, .. } => *top,
            _ => 0,
        };
        self.emit(Instr::Jump(top as u32));
        Ok(())
    }

    fn for_loop(
        &mut self,
        target: &'t Expr,
        iter: &'t Expr,
        body: &'t [Stmt],
        orelse: &'t [Stmt],
    ) -> CResult {
        self.expr(iter)?;
        // `GetIter` and `ForIter` carry the `for` statement's span (CPython 3.11 does the
        // same), so a traceback shows no indicators under `for x in y:`.
        self.emit(Instr::GetIter);
        let top = self.here();
        let exit = self.emit(Instr::ForIter(0));
        self.unit().fblocks.push(FBlock::For {
            top,
            breaks: Vec::new(),
        });
        self.assign(target)?;
        self.stmts(body)?;
        self.emit(Instr::Jump(top as u32));
        let Some(FBlock::For { breaks, .. }) = self.unit().fblocks.pop() else {
            unreachable!()
        };
        self.patch(exit);
        self.stmts(orelse)?;
        for b in breaks {
            self.patch(b);
        }
        Ok(())
    }

    fn async_for(
        &mut self,
        target: &'t Expr,
        iter: &'t Expr,
        body: &'t [Stmt],
        orelse: &'t [Stmt],
        span: Span,
    ) -> CResult {
        self.check_await_allowed(span, "async for")?;
        self.expr(iter)?;
        self.emit(Instr::GetAIter);
        let top = self.here();
        let setup = self.emit(Instr::SetupFinally(0));
        self.emit(Instr::GetANext);
        self.load_const(Value::None);
        self.emit(Instr::YieldFrom);
        self.emit(Instr::PopBlock);
        self.unit().fblocks.push(FBlock::For {
            top,
            breaks: Vec::new(),
        });
        self.assign(target)?;
        self.stmts(body)?;
        self.emit(Instr::Jump(top as u32));
        let Some(FBlock::For { breaks, .. }) = self.unit().fblocks.pop() else {
            unreachable!()
        };
        self.patch(setup);
        // Handler: StopAsyncIteration ends the loop, anything else re-raises.
        self.emit(Instr::EndAsyncFor);
        self.stmts(orelse)?;
        for b in breaks {
            self.patch(b);
        }
        Ok(())
    }

    fn while_loop(&mut self, test: &'t Expr, body: &'t [Stmt], orelse: &'t [Stmt]) -> CResult {
        let top = self.here();
        let always = matches!(&test.kind, ExprKind::Constant(Constant::Bool(true)))
            || matches!(&test.kind, ExprKind::Constant(Constant::Int(IntValue::Small(n))) if *n != 0);
        let exit = if always {
            None
        } else {
            self.expr(test)?;
            Some(self.emit(Instr::PopJumpIfFalse(0)))
        };
        self.unit().fblocks.push(FBlock::While {
            top,
            breaks: Vec::new(),
        });
        self.stmts(body)?;
        self.emit(Instr::Jump(top as u32));
        let Some(FBlock::While { breaks, .. }) = self.unit().fblocks.pop() else {
            unreachable!()
        };
        if let Some(e) = exit {
            self.patch(e);
        }
        self.stmts(orelse)?;
        for b in breaks {
            self.patch(b);
        }
        Ok(())
    }

    fn with_stmt(
        &mut self,
        is_async: bool,
        items: &'t [WithItem],
        body: &'t [Stmt],
        span: Span,
    ) -> CResult {
        if is_async {
            self.check_await_allowed(span, "async with")?;
        }
        let Some((item, rest)) = items.split_first() else {
            return self.stmts(body);
        };
        self.expr(&item.context_expr)?;
        let setup = if is_async {
            self.emit(Instr::BeforeAsyncWith);
            self.emit(Instr::GetAwaitable(1));
            self.load_const(Value::None);
            self.emit(Instr::YieldFrom);
            self.emit(Instr::SetupWith(0))
        } else {
            self.emit(Instr::BeforeWith);
            self.emit(Instr::CallMethod(0));
            self.emit(Instr::SetupWith(0))
        };
        self.unit().fblocks.push(FBlock::With { is_async });
        match &item.optional_vars {
            Some(t) => self.assign(t)?,
            None => {
                self.emit(Instr::PopTop);
            }
        }
        if rest.is_empty() {
            self.stmts(body)?;
        } else {
            self.with_stmt(is_async, rest, body, span)?;
        }
        self.unit().fblocks.pop();
        self.with_span(span, |c| {
            c.emit(Instr::PopBlock);
            c.load_const(Value::None);
            c.emit(Instr::DupTop);
            c.emit(Instr::DupTop);
            c.emit(Instr::Call(3));
            if is_async {
                c.emit(Instr::GetAwaitable(2));
                c.load_const(Value::None);
                c.emit(Instr::YieldFrom);
            }
            c.emit(Instr::PopTop);
            let end = c.emit(Instr::Jump(0));
            c.patch(setup);
            c.emit(Instr::WithExceptStart);
            if is_async {
                c.emit(Instr::GetAwaitable(2));
                c.load_const(Value::None);
                c.emit(Instr::YieldFrom);
            }
            let suppress = c.emit(Instr::PopJumpIfTrue(0));
            c.emit(Instr::Reraise);
            c.patch(suppress);
            c.emit(Instr::PopTop);
            c.emit(Instr::PopExcept);
            c.emit(Instr::PopTop);
            c.patch(end);
            Ok(())
        })
    }

    fn try_except(
        &mut self,
        body: &'t [Stmt],
        handlers: &'t [ExceptHandler],
        orelse: &'t [Stmt],
        is_star: bool,
    ) -> CResult {
        let setup = self.emit(Instr::SetupFinally(0));
        self.unit().fblocks.push(FBlock::Try);
        self.stmts(body)?;
        self.unit().fblocks.pop();
        self.emit(Instr::PopBlock);
        self.stmts(orelse)?;
        let mut ends = vec![self.emit(Instr::Jump(0))];
        self.patch(setup);
        if is_star {
            self.star_handlers(handlers, &mut ends)?;
        } else {
            for (i, h) in handlers.iter().enumerate() {
                if h.typ.is_none() && i + 1 < handlers.len() {
                    return error("default 'except:' must be last", h.span);
                }
                self.with_span(h.span, |c| c.handler(h, &mut ends))?;
            }
            self.emit(Instr::Reraise);
        }
        for e in ends {
            self.patch(e);
        }
        Ok(())
    }

    /// One `except` clause; the exception is on the stack.
    fn handler(&mut self, h: &'t ExceptHandler, ends: &mut Vec<usize>) -> CResult {
        let mut next = None;
        if let Some(t) = &h.typ {
            self.emit(Instr::DupTop);
            self.expr(t)?;
            next = Some(self.emit(Instr::JumpIfNotExcMatch(0)));
        }
        match &h.name {
            Some(n) => {
                self.store_name(&n.name)?;
                let cleanup = self.emit(Instr::SetupFinally(0));
                self.unit().fblocks.push(FBlock::HandlerCleanup {
                    name: Some(&n.name),
                });
                self.stmts(&h.body)?;
                self.unit().fblocks.pop();
                self.emit(Instr::PopBlock);
                self.emit(Instr::PopExcept);
                self.load_const(Value::None);
                self.store_name(&n.name)?;
                self.name_op(&n.name, Ctx::Del)?;
                ends.push(self.emit(Instr::Jump(0)));
                // The body raised: unbind the name, then re-raise.
                self.patch(cleanup);
                self.load_const(Value::None);
                self.store_name(&n.name)?;
                self.name_op(&n.name, Ctx::Del)?;
                self.emit(Instr::Reraise);
            }
            None => {
                self.emit(Instr::PopTop);
                self.unit()
                    .fblocks
                    .push(FBlock::HandlerCleanup { name: None });
                self.stmts(&h.body)?;
                self.unit().fblocks.pop();
                self.emit(Instr::PopExcept);
                ends.push(self.emit(Instr::Jump(0)));
            }
        }
        if let Some(n) = next {
            self.patch(n);
        }
        Ok(())
    }

    /// `except*` clauses: each splits the exception group held in a hidden local.
    fn star_handlers(&mut self, handlers: &'t [ExceptHandler], ends: &mut Vec<usize>) -> CResult {
        // Stack: [eg]. Helper locals: `$eg` the remaining group, `$raised` list of raised.
        let rest = format!(".eg{}", self.here());
        let raised = format!(".raised{}", self.here());
        // The helpers are no builtins: loaded by number, so no global shadows them and no
        // listing of `builtins` shows them.
        let call_helper = |c: &mut Self, helper: u32| {
            c.emit(Instr::LoadExceptStarHelper(helper));
        };
        // rest = _eg_prepare(exc)  (wraps a naked exception in an ExceptionGroup)
        call_helper(self, 0);
        self.emit(Instr::RotTwo);
        self.emit(Instr::Call(1));
        self.store_hidden(&rest)?;
        self.emit(Instr::BuildList(0));
        self.store_hidden(&raised)?;
        for h in handlers {
            // match, rest = rest.split(T)
            call_helper(self, 1);
            self.load_hidden(&rest)?;
            match &h.typ {
                Some(t) => self.expr(t)?,
                None => return error("expected 'except*' type", h.span),
            }
            self.emit(Instr::Call(2));
            self.emit(Instr::UnpackSequence(2));
            // stack: rest_after, match (match on top)
            self.emit(Instr::RotTwo);
            self.store_hidden(&rest)?;
            self.emit(Instr::DupTop);
            let skip = self.emit(Instr::PopJumpIfFalse(0));
            let setup = self.emit(Instr::SetupFinally(0));
            match &h.name {
                Some(n) => self.store_name(&n.name)?,
                None => {
                    self.emit(Instr::PopTop);
                }
            }
            self.unit().fblocks.push(FBlock::Try);
            self.stmts(&h.body)?;
            self.unit().fblocks.pop();
            self.emit(Instr::PopBlock);
            let done = self.emit(Instr::Jump(0));
            self.patch(setup);
            // The handler raised: remember the exception.
            let tmp = format!(".exc{}", self.here());
            self.store_hidden(&tmp)?;
            self.load_hidden(&raised)?;
            let i = self.name_index("append");
            self.emit(Instr::LoadMethod(i));
            self.load_hidden(&tmp)?;
            self.emit(Instr::CallMethod(1));
            self.emit(Instr::PopTop);
            self.emit(Instr::PopExcept);
            let done2 = self.emit(Instr::Jump(0));
            self.patch(skip);
            self.emit(Instr::PopTop);
            self.patch(done);
            self.patch(done2);
        }
        // Re-raise what is left (and what handlers raised), or finish.
        call_helper(self, 2);
        self.load_hidden(&rest)?;
        self.load_hidden(&raised)?;
        self.emit(Instr::Call(2));
        self.emit(Instr::DupTop);
        self.load_const(Value::None);
        self.emit(Instr::IsOp(false));
        let ok = self.emit(Instr::PopJumpIfTrue(0));
        self.emit(Instr::Reraise);
        self.patch(ok);
        self.emit(Instr::PopTop);
        self.emit(Instr::PopExcept);
        ends.push(self.emit(Instr::Jump(0)));
        Ok(())
    }

    fn store_hidden(&mut self, name: &str) -> CResult {
        match self.scope().kind {
            ScopeKind::Function | ScopeKind::Lambda | ScopeKind::Comprehension => {
                let i = self.var_index(name);
                self.emit(Instr::StoreFast(i));
            }
            _ => {
                let i = self.name_index(name);
                self.emit(Instr::StoreName(i));
            }
        }
        Ok(())
    }

    fn load_hidden(&mut self, name: &str) -> CResult {
        match self.scope().kind {
            ScopeKind::Function | ScopeKind::Lambda | ScopeKind::Comprehension => {
                let i = self.var_index(name);
                self.emit(Instr::LoadFast(i));
            }
            _ => {
                let i = self.name_index(name);
                self.emit(Instr::LoadName(i));
            }
        }
        Ok(())
    }

    fn try_finally(
        &mut self,
        body: &'t [Stmt],
        handlers: &'t [ExceptHandler],
        orelse: &'t [Stmt],
        finalbody: &'t [Stmt],
        is_star: bool,
    ) -> CResult {
        let setup = self.emit(Instr::SetupFinally(0));
        self.unit().fblocks.push(FBlock::FinallyTry(finalbody));
        if handlers.is_empty() {
            self.stmts(body)?;
        } else {
            self.try_except(body, handlers, orelse, is_star)?;
        }
        self.unit().fblocks.pop();
        self.emit(Instr::PopBlock);
        self.stmts(finalbody)?;
        let end = self.emit(Instr::Jump(0));
        self.patch(setup);
        self.unit().fblocks.push(FBlock::FinallyEnd);
        self.stmts(finalbody)?;
        self.unit().fblocks.pop();
        self.emit(Instr::Reraise);
        self.patch(end);
        Ok(())
    }

    // ---- assignment --------------------------------------------------------------------

    fn assign(&mut self, t: &'t Expr) -> CResult {
        self.with_span(t.span, |c| c.assign_inner(t))
    }

    fn assign_inner(&mut self, t: &'t Expr) -> CResult {
        match &t.kind {
            ExprKind::Name(n) => {
                if n == "__debug__" {
                    return error("cannot assign to __debug__", t.span);
                }
                let n = self.mangle(n);
                self.store_name(&n)
            }
            ExprKind::Attribute { value, attr } => {
                self.expr(value)?;
                let a = self.mangle(&attr.name);
                let i = self.name_index(&a);
                self.emit(Instr::StoreAttr(i));
                Ok(())
            }
            ExprKind::Subscript { value, slice } => {
                self.expr(value)?;
                self.expr(slice)?;
                self.emit(Instr::StoreSubscr);
                Ok(())
            }
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                let stars: Vec<usize> = items
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| matches!(e.kind, ExprKind::Starred(_)))
                    .map(|(i, _)| i)
                    .collect();
                match stars.len() {
                    0 => {
                        self.emit(Instr::UnpackSequence(items.len() as u32));
                    }
                    1 => {
                        let before = stars[0];
                        let after = items.len() - before - 1;
                        if before > 255 {
                            return error(
                                "too many expressions in star-unpacking assignment",
                                t.span,
                            );
                        }
                        self.emit(Instr::UnpackEx((before | (after << 8)) as u32));
                    }
                    _ => return error("multiple starred expressions in assignment", t.span),
                }
                for item in items {
                    match &item.kind {
                        ExprKind::Starred(inner) => self.assign(inner)?,
                        _ => self.assign(item)?,
                    }
                }
                Ok(())
            }
            ExprKind::Starred(_) => error(
                "starred assignment target must be in a list or tuple",
                t.span,
            ),
            _ => error("cannot assign to expression", t.span),
        }
    }

    fn delete(&mut self, t: &'t Expr) -> CResult {
        self.with_span(t.span, |c| match &t.kind {
            ExprKind::Name(n) => {
                let n = c.mangle(n);
                c.name_op(&n, Ctx::Del)
            }
            ExprKind::Attribute { value, attr } => {
                c.expr(value)?;
                let i = c.name_index(&c.mangle(&attr.name));
                c.emit(Instr::DeleteAttr(i));
                Ok(())
            }
            ExprKind::Subscript { value, slice } => {
                c.expr(value)?;
                c.expr(slice)?;
                c.emit(Instr::DeleteSubscr);
                Ok(())
            }
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                for i in items {
                    c.delete(i)?;
                }
                Ok(())
            }
            _ => error("cannot delete expression", t.span),
        })
    }

    fn aug_assign(&mut self, target: &'t Expr, op: ast::BinOp, value: &'t Expr) -> CResult {
        let op = binop(op);
        match &target.kind {
            ExprKind::Name(n) => {
                let n = self.mangle(n);
                self.with_span(target.span, |c| c.load_name(&n))?;
                self.expr(value)?;
                self.emit(Instr::Inplace(op));
                self.with_span(target.span, |c| c.store_name(&n))
            }
            ExprKind::Attribute { value: obj, attr } => {
                // The attribute's load and store point at the target (`o.v`), as
                // CPython's carets do.
                let attr_op = |c: &mut Self, instr: Instr| {
                    c.with_span(target.span, |c| {
                        c.emit(instr);
                        Ok(())
                    })
                };
                // `x.a += e` for a fast local `x` that `e` cannot rebind: `x` is loaded
                // again for the store (the same object), so both halves are the fused
                // local-attribute instructions, without `DupTop` and `RotTwo`.
                let reload = self.is_fast_local(obj) && cannot_rebind(value);
                self.expr(obj)?;
                if !reload {
                    self.emit(Instr::DupTop);
                }
                let i = self.name_index(&self.mangle(&attr.name));
                attr_op(self, Instr::LoadAttr(i))?;
                self.expr(value)?;
                self.emit(Instr::Inplace(op));
                if reload {
                    self.expr(obj)?;
                } else {
                    self.emit(Instr::RotTwo);
                }
                attr_op(self, Instr::StoreAttr(i))
            }
            ExprKind::Subscript { value: obj, slice } => {
                self.expr(obj)?;
                self.expr(slice)?;
                self.emit(Instr::DupTopTwo);
                self.emit(Instr::BinarySubscr);
                self.expr(value)?;
                self.emit(Instr::Inplace(op));
                self.emit(Instr::RotThree);
                self.emit(Instr::StoreSubscr);
                Ok(())
            }
            _ => error(
                "'expression' is an illegal expression for augmented assignment",
                target.span,
            ),
        }
    }

    // ---- expressions -------------------------------------------------------------------

    fn expr(&mut self, e: &'t Expr) -> CResult {
        self.with_span(e.span, |c| c.expr_inner(e))
    }

    fn expr_inner(&mut self, e: &'t Expr) -> CResult {
        match &e.kind {
            ExprKind::Constant(k) => {
                let v = self.constant(k);
                self.load_const(v);
            }
            ExprKind::Name(n) => {
                let n = self.mangle(n);
                self.load_name(&n)?;
            }
            ExprKind::BoolOp { op, values } => {
                let mut jumps = Vec::new();
                for (i, v) in values.iter().enumerate() {
                    self.expr(v)?;
                    if i + 1 < values.len() {
                        jumps.push(self.emit(match op {
                            BoolOp::And => Instr::JumpIfFalseOrPop(0),
                            BoolOp::Or => Instr::JumpIfTrueOrPop(0),
                        }));
                    }
                }
                for j in jumps {
                    self.patch(j);
                }
            }
            ExprKind::NamedExpr { target, value } => {
                self.expr(value)?;
                self.emit(Instr::DupTop);
                self.assign(target)?;
            }
            ExprKind::BinOp { left, op, right } => {
                self.expr(left)?;
                self.expr(right)?;
                self.emit(Instr::Binary(binop(*op)));
            }
            ExprKind::UnaryOp { op, operand } => {
                // A negated numeric literal is a constant (`-1`).
                if let Some(v) = self.folded_constant(e) {
                    self.load_const(v);
                    return Ok(());
                }
                self.expr(operand)?;
                self.emit(Instr::Unary(match op {
                    ast::UnaryOp::Invert => UnaryOp::Invert,
                    ast::UnaryOp::Not => UnaryOp::Not,
                    ast::UnaryOp::UAdd => UnaryOp::Pos,
                    ast::UnaryOp::USub => UnaryOp::Neg,
                }));
            }
            ExprKind::Lambda { args, body } => {
                let scope = self.table.scope_of(e);
                let fl = self.defaults(args)?;
                let qualname = self.qualname("<lambda>");
                let line = self.source.lines().line(e.span.start);
                self.push_unit(scope, "<lambda>", &qualname, e.span, line);
                self.set_arg_counts(args);
                if self.scope().is_generator {
                    self.expr(body)?;
                    self.emit(Instr::PopTop);
                    self.load_const(Value::None);
                } else {
                    self.expr(body)?;
                }
                self.emit(Instr::ReturnValue);
                let code = self.pop_unit();
                self.make_closure(code, fl)?;
            }
            ExprKind::IfExp { test, body, orelse } => {
                self.expr(test)?;
                let jf = self.emit(Instr::PopJumpIfFalse(0));
                self.expr(body)?;
                let je = self.emit(Instr::Jump(0));
                self.patch(jf);
                self.expr(orelse)?;
                self.patch(je);
            }
            ExprKind::Dict { keys, values } => self.dict_display(keys, values)?,
            ExprKind::Set(items) => self.sequence_display(items, Display::Set)?,
            ExprKind::List(items) => self.sequence_display(items, Display::List)?,
            ExprKind::Tuple(items) => self.sequence_display(items, Display::Tuple)?,
            ExprKind::ListComp { elt, generators } => {
                self.comprehension(e, CompKind::List(elt), generators)?
            }
            ExprKind::SetComp { elt, generators } => {
                self.comprehension(e, CompKind::Set(elt), generators)?
            }
            ExprKind::DictComp {
                key,
                value,
                generators,
            } => self.comprehension(e, CompKind::Dict(key, value), generators)?,
            ExprKind::GeneratorExp { elt, generators } => {
                self.comprehension(e, CompKind::Gen(elt), generators)?
            }
            ExprKind::Await(v) => {
                self.check_await_allowed(e.span, "await")?;
                self.expr(v)?;
                self.emit(Instr::GetAwaitable(0));
                self.load_const(Value::None);
                self.emit(Instr::YieldFrom);
            }
            ExprKind::Yield(v) => {
                self.check_yield_allowed(e.span, "yield")?;
                match v {
                    Some(v) => self.expr(v)?,
                    None => self.load_const(Value::None),
                }
                self.emit(Instr::YieldValue);
            }
            ExprKind::YieldFrom(v) => {
                self.check_yield_allowed(e.span, "yield from")?;
                if self.unit().flags & flags::ASYNC_GENERATOR != 0 {
                    return error("'yield from' inside async function", e.span);
                }
                self.expr(v)?;
                self.emit(Instr::GetYieldFromIter);
                self.load_const(Value::None);
                self.emit(Instr::YieldFrom);
            }
            ExprKind::Compare {
                left,
                ops,
                comparators,
            } => {
                if let Some(message) = warnings::compare(left, ops, comparators) {
                    self.warn(e.span, message);
                }
                self.compare(left, ops, comparators)?
            }
            ExprKind::Call {
                func,
                args,
                keywords,
            } => {
                if let Some(message) = warnings::call(func) {
                    self.warn(e.span, message);
                }
                self.call(func, args, keywords, e.span)?
            }
            ExprKind::JoinedStr(parts) => self.fstring(parts)?,
            ExprKind::Attribute { value, attr } => {
                self.expr(value)?;
                let i = self.name_index(&self.mangle(&attr.name));
                self.emit(Instr::LoadAttr(i));
            }
            ExprKind::Subscript { value, slice } => {
                if let Some(message) = warnings::subscript(value, slice) {
                    self.warn(e.span, message);
                }
                self.expr(value)?;
                self.expr(slice)?;
                self.emit(Instr::BinarySubscr);
            }
            ExprKind::Starred(_) => return error("can't use starred expression here", e.span),
            ExprKind::Slice { lower, upper, step } => {
                for part in [lower, upper] {
                    match part {
                        Some(p) => self.expr(p)?,
                        None => self.load_const(Value::None),
                    }
                }
                match step {
                    Some(s) => {
                        self.expr(s)?;
                        self.emit(Instr::BuildSlice(3));
                    }
                    None => {
                        self.emit(Instr::BuildSlice(2));
                    }
                }
            }
        }
        Ok(())
    }

    fn constant(&mut self, k: &Constant) -> Value {
        match k {
            Constant::None => Value::None,
            Constant::Bool(b) => Value::bool(*b),
            Constant::Int(IntValue::Small(i)) => Value::Int(*i),
            Constant::Int(IntValue::Big(b)) => crate::builtins::bigint_value(self.types, b.clone()),
            Constant::Float(f) => Value::float(*f),
            Constant::Complex(im) => crate::builtins::complex_const(self.types, 0.0, *im),
            Constant::Str(s) => Value::Str(self.interner.intern_if_identifier(s)),
            Constant::Bytes(b) => {
                let types = self.types;
                self.bytes_consts
                    .entry(b.clone())
                    .or_insert_with(|| crate::builtins::bytes_const(types, b.clone()))
                    .clone()
            }
            Constant::Ellipsis => self.ellipsis.clone(),
        }
    }

    fn check_await_allowed(&self, span: Span, what: &str) -> CResult {
        let u = self.units.last().expect("unit");
        let s = self.scope();
        let top_level_ok = u.flags & flags::TOP_LEVEL_AWAIT != 0;
        match s.kind {
            ScopeKind::Function | ScopeKind::Lambda if s.is_coroutine => Ok(()),
            ScopeKind::Comprehension if s.is_coroutine || u.in_async_comprehension => {
                // An async comprehension must itself be inside an async function.
                Ok(())
            }
            ScopeKind::Module if top_level_ok => Ok(()),
            ScopeKind::Function | ScopeKind::Lambda | ScopeKind::Comprehension => {
                if what == "await" {
                    error("'await' outside async function", span)
                } else {
                    error(format!("'{what}' outside async function"), span)
                }
            }
            _ => {
                if what == "await" {
                    error("'await' outside function", span)
                } else {
                    error(format!("'{what}' outside async function"), span)
                }
            }
        }
    }

    fn check_yield_allowed(&self, span: Span, what: &str) -> CResult {
        let s = self.scope();
        match s.kind {
            ScopeKind::Function | ScopeKind::Lambda => Ok(()),
            ScopeKind::Comprehension if !s.is_genexp => {
                let kind = s.name.trim_start_matches('<').trim_end_matches('>');
                let kind = match kind {
                    "listcomp" => "list comprehension",
                    "setcomp" => "set comprehension",
                    "dictcomp" => "dict comprehension",
                    _ => "generator expression",
                };
                error(format!("'{what}' inside {kind}"), span)
            }
            ScopeKind::Comprehension => {
                error(format!("'{what}' inside generator expression"), span)
            }
            _ => error(format!("'{what}' outside function"), span),
        }
    }

    /// Records a `SyntaxWarning` at `span` (CPython's `compiler_warn`), once per place
    /// and text: a `finally` body compiled twice warns once.
    fn warn(&mut self, span: Span, message: String) {
        let w = CompileWarning { span, message };
        if !self.warnings.contains(&w) {
            self.warnings.push(w);
        }
    }

    fn compare(&mut self, left: &'t Expr, ops: &[ast::CmpOp], comparators: &'t [Expr]) -> CResult {
        self.expr(left)?;
        if ops.len() == 1 {
            self.expr(&comparators[0])?;
            self.emit(cmp_instr(ops[0]));
            return Ok(());
        }
        let mut cleanups = Vec::new();
        for (i, (op, right)) in ops.iter().zip(comparators).enumerate() {
            self.expr(right)?;
            if i + 1 < ops.len() {
                self.emit(Instr::DupTop);
                self.emit(Instr::RotThree);
                self.emit(cmp_instr(*op));
                cleanups.push(self.emit(Instr::JumpIfFalseOrPop(0)));
            } else {
                self.emit(cmp_instr(*op));
            }
        }
        let end = self.emit(Instr::Jump(0));
        for c in cleanups {
            self.patch(c);
        }
        self.emit(Instr::RotTwo);
        self.emit(Instr::PopTop);
        self.patch(end);
        Ok(())
    }

    fn sequence_display(&mut self, items: &'t [Expr], kind: Display) -> CResult {
        let has_star = items.iter().any(|e| matches!(e.kind, ExprKind::Starred(_)));
        if !has_star {
            // A tuple of constants is a constant.
            if kind == Display::Tuple && items.len() <= 256 {
                if let Some(t) = self.constant_tuple(items) {
                    self.load_const(t);
                    return Ok(());
                }
            }
            for i in items {
                self.expr(i)?;
            }
            let n = items.len() as u32;
            let constant_set =
                kind == Display::Set && items.len() >= 3 && items.iter().all(is_constant);
            self.emit(match kind {
                Display::List => Instr::BuildList(n),
                Display::Tuple => Instr::BuildTuple(n),
                Display::Set if constant_set => Instr::BuildSet(n | crate::code::CONST_SET_FLAG),
                Display::Set => Instr::BuildSet(n),
            });
            return Ok(());
        }
        // With starred items: build incrementally.
        let mut built = false;
        let mut pending = 0u32;
        for item in items {
            match &item.kind {
                ExprKind::Starred(inner) => {
                    if !built {
                        self.emit(match kind {
                            Display::Set => Instr::BuildSet(pending),
                            _ => Instr::BuildList(pending),
                        });
                        built = true;
                    } else if pending > 0 {
                        unreachable!()
                    }
                    pending = 0;
                    self.expr(inner)?;
                    self.emit(match kind {
                        Display::Set => Instr::SetUpdate(1),
                        _ => Instr::ListExtend(1),
                    });
                }
                _ => {
                    self.expr(item)?;
                    if built {
                        self.emit(match kind {
                            Display::Set => Instr::SetAdd(1),
                            _ => Instr::ListAppend(1),
                        });
                    } else {
                        pending += 1;
                    }
                }
            }
        }
        if kind == Display::Tuple {
            self.emit(Instr::ListToTuple);
        }
        Ok(())
    }

    /// The constant a tuple display of constants folds to, as CPython's AST optimizer
    /// folds it: literals, negated numbers and nested such tuples (`()` is the VM's one
    /// empty tuple).
    fn constant_tuple(&mut self, items: &[Expr]) -> Option<Value> {
        if items.is_empty() {
            return Some(self.empty_tuple.clone());
        }
        let mut out = Vec::with_capacity(items.len());
        for i in items {
            out.push(self.folded_constant(i)?);
        }
        Some(crate::builtins::make_tuple_const(self.types, out))
    }

    /// The value of a literal, a negated numeric literal (`-1`, `-2.5`, `-1j`) or a tuple
    /// of such, computed at compile time as CPython folds them; `None` for anything else.
    fn folded_constant(&mut self, e: &Expr) -> Option<Value> {
        match &e.kind {
            ExprKind::Constant(k) => Some(self.constant(k)),
            ExprKind::UnaryOp {
                op: ast::UnaryOp::USub,
                operand,
            } => {
                let ExprKind::Constant(k) = &operand.kind else {
                    return None;
                };
                Some(match k {
                    Constant::Int(IntValue::Small(i)) => match i.checked_neg() {
                        Some(n) => Value::Int(n),
                        None => {
                            crate::builtins::bigint_value(self.types, -num_bigint::BigInt::from(*i))
                        }
                    },
                    Constant::Int(IntValue::Big(b)) => {
                        crate::builtins::bigint_value(self.types, -b.clone())
                    }
                    Constant::Float(f) => Value::float(-*f),
                    Constant::Complex(im) => crate::builtins::complex_const(self.types, -0.0, -*im),
                    _ => return None,
                })
            }
            ExprKind::Tuple(items) if items.len() <= 256 => self.constant_tuple(items),
            _ => None,
        }
    }

    fn dict_display(&mut self, keys: &'t [Option<Expr>], values: &'t [Expr]) -> CResult {
        let mut built = false;
        let mut pending = 0u32;
        for (k, v) in keys.iter().zip(values) {
            match k {
                Some(k) => {
                    self.expr(k)?;
                    self.expr(v)?;
                    pending += 1;
                }
                None => {
                    if !built || pending > 0 {
                        self.emit(Instr::BuildMap(pending));
                        if built {
                            self.emit(Instr::DictUpdate(1));
                        }
                        built = true;
                        pending = 0;
                    }
                    self.expr(v)?;
                    self.emit(Instr::DictUpdate(1));
                }
            }
        }
        if !built {
            self.emit(Instr::BuildMap(pending));
        } else if pending > 0 {
            self.emit(Instr::BuildMap(pending));
            self.emit(Instr::DictUpdate(1));
        }
        Ok(())
    }

    fn fstring(&mut self, parts: &'t [FStringElement]) -> CResult {
        let mut n = 0;
        for p in parts {
            match p {
                FStringElement::Literal(s) => {
                    if s.is_empty() {
                        continue;
                    }
                    self.load_const(Value::str(s.as_str()));
                }
                FStringElement::Formatted {
                    value,
                    conversion,
                    format_spec,
                } => {
                    self.expr(value)?;
                    let mut fl = match conversion {
                        None => 0,
                        Some('s') => 1,
                        Some('r') => 2,
                        Some(_) => 3,
                    };
                    if let Some(spec) = format_spec {
                        self.fstring(spec)?;
                        fl |= 4;
                    }
                    self.emit(Instr::FormatValue(fl));
                }
            }
            n += 1;
        }
        if n != 1 {
            self.emit(Instr::BuildString(n));
        }
        Ok(())
    }

    fn call(
        &mut self,
        func: &'t Expr,
        args: &'t [Expr],
        keywords: &'t [Keyword],
        span: Span,
    ) -> CResult {
        // `obj.m(...)` without `*`/`**` arguments: the method is loaded without binding it.
        let plain = !args.iter().any(|a| matches!(a.kind, ExprKind::Starred(_)))
            && keywords.iter().all(|k| k.arg.is_some());
        if let ExprKind::Attribute { value, attr } = &func.kind {
            if plain && args.len() + keywords.len() < 256 {
                check_repeated_keywords(keywords)?;
                self.expr(value)?;
                let i = self.name_index(&self.mangle(&attr.name));
                self.with_span(func.span, |c| Ok(c.emit(Instr::LoadMethod(i))))?;
                for a in args {
                    self.expr(a)?;
                }
                if keywords.is_empty() {
                    self.emit(Instr::CallMethod(args.len() as u32));
                } else {
                    self.keyword_values(keywords)?;
                    let n = (args.len() + keywords.len()) as u32;
                    self.with_span(span, |c| Ok(c.emit(Instr::CallMethodKw(n))))?;
                }
                return Ok(());
            }
        }
        self.expr(func)?;
        self.call_helper(0, args, keywords, span)
    }

    /// Pushes the values of keyword arguments (all named), then the tuple of their names
    /// (the operand layout of `CallKw` and `CallMethodKw`).
    fn keyword_values(&mut self, keywords: &'t [Keyword]) -> CResult {
        // Interned as parameter names are, so binding matches them by address.
        let names: Vec<Value> = keywords
            .iter()
            .map(|k| {
                let name = k.arg.as_ref().map(|n| n.name.as_str()).unwrap_or("");
                Value::Str(self.interner.intern(name))
            })
            .collect();
        for k in keywords {
            self.expr(&k.value)?;
        }
        let t = crate::builtins::make_tuple_const(self.types, names);
        self.load_const(t);
        Ok(())
    }

    /// Emits a call whose callee (and `extra` leading arguments) are already pushed.
    fn call_helper(
        &mut self,
        extra: u32,
        args: &'t [Expr],
        keywords: &'t [Keyword],
        span: Span,
    ) -> CResult {
        let starred = args.iter().any(|a| matches!(a.kind, ExprKind::Starred(_)));
        let double = keywords.iter().any(|k| k.arg.is_none());
        check_repeated_keywords(keywords)?;
        if !starred && !double {
            for a in args {
                self.expr(a)?;
            }
            if keywords.is_empty() {
                self.with_span(span, |c| Ok(c.emit(Instr::Call(extra + args.len() as u32))))?;
            } else {
                self.keyword_values(keywords)?;
                let n = extra + (args.len() + keywords.len()) as u32;
                self.with_span(span, |c| Ok(c.emit(Instr::CallKw(n))))?;
            }
            return Ok(());
        }
        // General form: build the positional tuple and a kwargs dict. A lone `*x` is passed
        // as it is (CPython checks it in CALL_FUNCTION_EX, naming the callee).
        match args {
            [Expr {
                kind: ExprKind::Starred(inner),
                ..
            }] if extra == 0 => {
                self.expr(inner)?;
                self.emit(Instr::StarArgs);
            }
            // Only `**` unpacking: the positional values go straight into a tuple.
            // `f(**kw)`: the shared `()`, as CPython's `LOAD_CONST ()`.
            [] if extra == 0 => self.load_const(self.empty_tuple.clone()),
            _ if !args.iter().any(|a| matches!(a.kind, ExprKind::Starred(_))) => {
                for a in args {
                    self.expr(a)?;
                }
                self.emit(Instr::BuildTuple(extra + args.len() as u32));
            }
            _ => {
                self.emit(Instr::BuildList(extra));
                for a in args {
                    match &a.kind {
                        ExprKind::Starred(inner) => {
                            self.expr(inner)?;
                            self.emit(Instr::ListExtend(1));
                        }
                        _ => {
                            self.expr(a)?;
                            self.emit(Instr::ListAppend(1));
                        }
                    }
                }
                self.emit(Instr::ListToTuple);
            }
        }
        let has_kw = !keywords.is_empty();
        if has_kw {
            self.emit(Instr::BuildMap(0));
            for k in keywords {
                match &k.arg {
                    Some(name) => {
                        // Interned, as `keyword_values` does for `CallKw`.
                        let key = Value::Str(self.interner.intern(name.name.as_str()));
                        self.load_const(key);
                        self.expr(&k.value)?;
                        self.emit(Instr::BuildMap(1));
                        self.emit(Instr::DictMerge(1));
                    }
                    None => {
                        self.expr(&k.value)?;
                        self.emit(Instr::DictMerge(1));
                    }
                }
            }
        }
        self.with_span(span, |c| Ok(c.emit(Instr::CallEx(has_kw))))?;
        Ok(())
    }

    fn comprehension(
        &mut self,
        e: &'t Expr,
        kind: CompKind<'t>,
        generators: &'t [Comprehension],
    ) -> CResult {
        let scope = self.table.scope_of(e);
        let s = &self.table.scopes[scope];
        let name = s.name.clone();
        let is_async = s.is_coroutine;
        let outer_async = {
            let os = self.scope();
            (matches!(os.kind, ScopeKind::Function | ScopeKind::Lambda) && os.is_coroutine)
                || (os.kind == ScopeKind::Module && self.unit().flags & flags::TOP_LEVEL_AWAIT != 0)
                || (os.kind == ScopeKind::Comprehension && os.is_coroutine)
        };
        if is_async && !outer_async && !matches!(kind, CompKind::Gen(_)) {
            return error(
                "asynchronous comprehension outside of an asynchronous function",
                e.span,
            );
        }
        let qualname = self.qualname(&name);
        let line = self.source.lines().line(e.span.start);
        // The first iterable is evaluated in the enclosing scope.
        self.expr(&generators[0].iter)?;
        self.push_unit(scope, &name, &qualname, e.span, line);
        self.unit().argcount = 1;
        if is_async {
            self.unit().in_async_comprehension = true;
            if !matches!(kind, CompKind::Gen(_)) {
                self.unit().flags &= !(flags::GENERATOR | flags::ASYNC_GENERATOR);
                self.unit().flags |= flags::COROUTINE;
            }
        }
        match kind {
            CompKind::List(_) => {
                self.emit(Instr::BuildList(0));
            }
            CompKind::Set(_) => {
                self.emit(Instr::BuildSet(0));
            }
            CompKind::Dict(..) => {
                self.emit(Instr::BuildMap(0));
            }
            CompKind::Gen(_) => {}
        }
        self.comp_generator(generators, 0, &kind)?;
        if matches!(kind, CompKind::Gen(_)) {
            self.load_const(Value::None);
        }
        self.emit(Instr::ReturnValue);
        let code = self.pop_unit();
        // Make the function and call it with the first iterator.
        let tmp = self.unit().instrs.len();
        let _ = tmp;
        self.make_closure(code, 0)?;
        self.emit(Instr::RotTwo);
        if generators[0].is_async {
            self.emit(Instr::GetAIter);
        } else {
            self.emit(Instr::GetIter);
        }
        self.emit(Instr::Call(1));
        if is_async && !matches!(kind, CompKind::Gen(_)) {
            self.emit(Instr::GetAwaitable(0));
            self.load_const(Value::None);
            self.emit(Instr::YieldFrom);
        }
        Ok(())
    }

    fn comp_generator(
        &mut self,
        gens: &'t [Comprehension],
        i: usize,
        kind: &CompKind<'t>,
    ) -> CResult {
        let g = &gens[i];
        if i == 0 {
            let v = self.var_index(".0");
            self.emit(Instr::LoadFast(v));
        } else {
            self.expr(&g.iter)?;
            self.emit(if g.is_async {
                Instr::GetAIter
            } else {
                Instr::GetIter
            });
        }
        let top = self.here();
        let (exit, setup) = if g.is_async {
            let setup = self.emit(Instr::SetupFinally(0));
            self.emit(Instr::GetANext);
            self.load_const(Value::None);
            self.emit(Instr::YieldFrom);
            self.emit(Instr::PopBlock);
            (None, Some(setup))
        } else {
            (Some(self.emit(Instr::ForIter(0))), None)
        };
        self.assign(&g.target)?;
        for cond in &g.ifs {
            self.expr(cond)?;
            self.emit(Instr::PopJumpIfFalse(top as u32));
        }
        if i + 1 < gens.len() {
            self.comp_generator(gens, i + 1, kind)?;
        } else {
            let depth = (gens.len() + 1) as u32;
            match kind {
                CompKind::List(elt) => {
                    self.expr(elt)?;
                    self.emit(Instr::ListAppend(depth));
                }
                CompKind::Set(elt) => {
                    self.expr(elt)?;
                    self.emit(Instr::SetAdd(depth));
                }
                CompKind::Dict(k, v) => {
                    self.expr(k)?;
                    self.expr(v)?;
                    self.emit(Instr::MapAdd(depth));
                }
                CompKind::Gen(elt) => {
                    self.expr(elt)?;
                    self.emit(Instr::YieldValue);
                    self.emit(Instr::PopTop);
                }
            }
        }
        self.emit(Instr::Jump(top as u32));
        if let Some(x) = exit {
            self.patch(x);
        }
        if let Some(s) = setup {
            self.patch(s);
            self.emit(Instr::EndAsyncFor);
        }
        Ok(())
    }

    // ---- match -------------------------------------------------------------------------

    fn match_stmt(&mut self, subject: &'t Expr, cases: &'t [MatchCase]) -> CResult {
        self.expr(subject)?;
        let mut ends = Vec::new();
        for (i, case) in cases.iter().enumerate() {
            let last = i + 1 == cases.len();
            // Irrefutable patterns must come last; names are bound once.
            super::patterns::check(&case.pattern, last || case.guard.is_some())?;
            self.emit(Instr::DupTop);
            let mut fails = Vec::new();
            self.pattern(&case.pattern, &mut fails)?;
            if let Some(g) = &case.guard {
                self.expr(g)?;
                fails.push(self.emit(Instr::PopJumpIfFalse(0)));
            }
            // Matched: the subject is no longer needed.
            self.emit(Instr::PopTop);
            self.stmts(&case.body)?;
            ends.push(self.emit(Instr::Jump(0)));
            // Failure: the copy of the subject was consumed by the pattern code.
            for f in fails {
                self.patch(f);
            }
        }
        self.emit(Instr::PopTop);
        for e in ends {
            self.patch(e);
        }
        Ok(())
    }

    /// Compiles a pattern test. On entry the value is on top; on success it has been
    /// consumed (bound names stored); on failure jumps go to `fails` with the value consumed.
    fn pattern(&mut self, p: &'t Pattern, fails: &mut Vec<usize>) -> CResult {
        self.with_span(p.span, |c| c.pattern_inner(p, fails))
    }

    fn pattern_inner(&mut self, p: &'t Pattern, fails: &mut Vec<usize>) -> CResult {
        match &p.kind {
            PatternKind::MatchAs { pattern, name } => {
                match pattern {
                    Some(inner) => {
                        if name.is_some() {
                            self.emit(Instr::DupTop);
                        }
                        // Inner failure must drop the dup as well.
                        let mut inner_fails = Vec::new();
                        self.pattern(inner, &mut inner_fails)?;
                        if let Some(n) = name {
                            self.store_name(&n.name)?;
                            if !inner_fails.is_empty() {
                                let ok = self.emit(Instr::Jump(0));
                                for f in inner_fails {
                                    self.patch(f);
                                }
                                self.emit(Instr::PopTop);
                                fails.push(self.emit(Instr::Jump(0)));
                                self.patch(ok);
                            }
                        } else {
                            fails.extend(inner_fails);
                        }
                    }
                    None => match name {
                        Some(n) => self.store_name(&n.name)?,
                        None => {
                            self.emit(Instr::PopTop);
                        }
                    },
                }
            }
            PatternKind::MatchValue(v) => {
                self.expr(v)?;
                self.emit(Instr::Compare(CmpOp::Eq));
                fails.push(self.emit(Instr::PopJumpIfFalse(0)));
            }
            PatternKind::MatchSingleton(k) => {
                let v = self.constant(k);
                self.load_const(v);
                self.emit(Instr::IsOp(false));
                fails.push(self.emit(Instr::PopJumpIfFalse(0)));
            }
            PatternKind::MatchOr(alts) => {
                let mut oks = Vec::new();
                for (i, alt) in alts.iter().enumerate() {
                    let last = i + 1 == alts.len();
                    if !last {
                        self.emit(Instr::DupTop);
                    }
                    let mut alt_fails = Vec::new();
                    self.pattern(alt, &mut alt_fails)?;
                    if !last {
                        // Success: drop the remaining copy.
                        self.emit(Instr::PopTop);
                        oks.push(self.emit(Instr::Jump(0)));
                        for f in alt_fails {
                            self.patch(f);
                        }
                    } else {
                        fails.extend(alt_fails);
                    }
                }
                for o in oks {
                    self.patch(o);
                }
            }
            PatternKind::MatchSequence(items) => {
                let star = items
                    .iter()
                    .position(|q| matches!(q.kind, PatternKind::MatchStar(_)));
                // `MatchSequence` and `GetLen` push their answer above the subject (as
                // CPython's MATCH_SEQUENCE and GET_LEN do), leaving it in place.
                self.emit(Instr::MatchSequence);
                let notseq = self.emit(Instr::PopJumpIfFalse(0));
                self.emit(Instr::GetLen);
                match star {
                    None => {
                        self.load_const(Value::Int(items.len() as i64));
                        self.emit(Instr::Compare(CmpOp::Eq));
                    }
                    Some(_) => {
                        self.load_const(Value::Int(items.len() as i64 - 1));
                        self.emit(Instr::Compare(CmpOp::Ge));
                    }
                }
                let badlen = self.emit(Instr::PopJumpIfFalse(0));
                match star {
                    None => {
                        self.emit(Instr::UnpackSequence(items.len() as u32));
                    }
                    Some(s) => {
                        let after = items.len() - s - 1;
                        self.emit(Instr::UnpackEx((s | (after << 8)) as u32));
                    }
                }
                // Items are on the stack, first on top. Match each; on failure pop the rest.
                let n = items.len();
                for (i, q) in items.iter().enumerate() {
                    let mut qf = Vec::new();
                    match &q.kind {
                        PatternKind::MatchStar(name) => match name {
                            Some(nm) => self.store_name(&nm.name)?,
                            None => {
                                self.emit(Instr::PopTop);
                            }
                        },
                        _ => self.pattern(q, &mut qf)?,
                    }
                    let remaining = n - i - 1;
                    if !qf.is_empty() {
                        let ok = self.emit(Instr::Jump(0));
                        for f in qf {
                            self.patch(f);
                        }
                        for _ in 0..remaining {
                            self.emit(Instr::PopTop);
                        }
                        fails.push(self.emit(Instr::Jump(0)));
                        self.patch(ok);
                    }
                }
                let done = self.emit(Instr::Jump(0));
                self.patch(notseq);
                self.patch(badlen);
                self.emit(Instr::PopTop);
                fails.push(self.emit(Instr::Jump(0)));
                self.patch(done);
            }
            PatternKind::MatchMapping {
                keys,
                patterns,
                rest,
            } => {
                // `MatchMapping` pushes its answer above the subject.
                self.emit(Instr::MatchMapping);
                let notmap = self.emit(Instr::PopJumpIfFalse(0));
                // [subject] -> keys tuple -> MatchKeys -> values tuple or None
                for k in keys {
                    self.expr(k)?;
                }
                self.emit(Instr::BuildTuple(keys.len() as u32));
                self.emit(Instr::MatchKeys);
                // stack: subject, keys, values-or-None
                self.emit(Instr::DupTop);
                self.load_const(Value::None);
                self.emit(Instr::IsOp(false));
                let missing = self.emit(Instr::PopJumpIfTrue(0));
                self.emit(Instr::UnpackSequence(keys.len() as u32));
                let n = patterns.len();
                for (i, q) in patterns.iter().enumerate() {
                    let mut qf = Vec::new();
                    self.pattern(q, &mut qf)?;
                    if !qf.is_empty() {
                        let ok = self.emit(Instr::Jump(0));
                        for f in qf {
                            self.patch(f);
                        }
                        for _ in 0..(n - i - 1) {
                            self.emit(Instr::PopTop);
                        }
                        // keys tuple and subject remain
                        self.emit(Instr::PopTop);
                        self.emit(Instr::PopTop);
                        fails.push(self.emit(Instr::Jump(0)));
                        self.patch(ok);
                    }
                }
                // stack: subject, keys
                match rest {
                    Some(r) => {
                        self.emit(Instr::CopyDictWithoutKeys);
                        self.store_name(&r.name)?;
                        self.emit(Instr::PopTop);
                    }
                    None => {
                        self.emit(Instr::PopTop);
                        self.emit(Instr::PopTop);
                    }
                }
                let done = self.emit(Instr::Jump(0));
                self.patch(missing);
                // stack: subject, keys, None
                self.emit(Instr::PopTop);
                self.emit(Instr::PopTop);
                self.patch(notmap);
                self.emit(Instr::PopTop);
                fails.push(self.emit(Instr::Jump(0)));
                self.patch(done);
            }
            PatternKind::MatchClass {
                cls,
                patterns,
                kwd_attrs,
                kwd_patterns,
            } => {
                self.expr(cls)?;
                let names: Vec<Value> = kwd_attrs
                    .iter()
                    .map(|a| Value::str(a.name.as_str()))
                    .collect();
                let t = crate::builtins::make_tuple_const(self.types, names);
                self.load_const(t);
                self.emit(Instr::MatchClass(patterns.len() as u32));
                // stack: attrs-tuple-or-None
                self.emit(Instr::DupTop);
                self.load_const(Value::None);
                self.emit(Instr::IsOp(false));
                let nomatch = self.emit(Instr::PopJumpIfTrue(0));
                let all: Vec<&'t Pattern> = patterns.iter().chain(kwd_patterns.iter()).collect();
                self.emit(Instr::UnpackSequence(all.len() as u32));
                let n = all.len();
                for (i, q) in all.into_iter().enumerate() {
                    let mut qf = Vec::new();
                    self.pattern(q, &mut qf)?;
                    if !qf.is_empty() {
                        let ok = self.emit(Instr::Jump(0));
                        for f in qf {
                            self.patch(f);
                        }
                        for _ in 0..(n - i - 1) {
                            self.emit(Instr::PopTop);
                        }
                        fails.push(self.emit(Instr::Jump(0)));
                        self.patch(ok);
                    }
                }
                let done = self.emit(Instr::Jump(0));
                self.patch(nomatch);
                self.emit(Instr::PopTop);
                fails.push(self.emit(Instr::Jump(0)));
                self.patch(done);
            }
            PatternKind::MatchStar(_) => return error("can't use starred pattern here", p.span),
        }
        Ok(())
    }
}

/// A literal (or a folded negative number or tuple of literals), as CPython's constant
/// folding sees it.
fn is_constant(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Constant(_) => true,
        ExprKind::UnaryOp {
            op: ast::UnaryOp::USub,
            operand,
        } => matches!(operand.kind, ExprKind::Constant(_)),
        ExprKind::Tuple(items) => items.iter().all(is_constant),
        _ => false,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Display {
    List,
    Tuple,
    Set,
}

enum CompKind<'t> {
    List(&'t Expr),
    Set(&'t Expr),
    Dict(&'t Expr, &'t Expr),
    Gen(&'t Expr),
}

#[derive(Clone, Copy)]
enum Ctx {
    Load,
    Store,
    Del,
}

fn binop(op: ast::BinOp) -> BinOp {
    match op {
        ast::BinOp::Add => BinOp::Add,
        ast::BinOp::Sub => BinOp::Sub,
        ast::BinOp::Mult => BinOp::Mul,
        ast::BinOp::MatMult => BinOp::MatMul,
        ast::BinOp::Div => BinOp::TrueDiv,
        ast::BinOp::Mod => BinOp::Rem,
        ast::BinOp::Pow => BinOp::Pow,
        ast::BinOp::LShift => BinOp::LShift,
        ast::BinOp::RShift => BinOp::RShift,
        ast::BinOp::BitOr => BinOp::Or,
        ast::BinOp::BitXor => BinOp::Xor,
        ast::BinOp::BitAnd => BinOp::And,
        ast::BinOp::FloorDiv => BinOp::FloorDiv,
    }
}

fn cmp_instr(op: ast::CmpOp) -> Instr {
    match op {
        ast::CmpOp::Eq => Instr::Compare(CmpOp::Eq),
        ast::CmpOp::NotEq => Instr::Compare(CmpOp::Ne),
        ast::CmpOp::Lt => Instr::Compare(CmpOp::Lt),
        ast::CmpOp::LtE => Instr::Compare(CmpOp::Le),
        ast::CmpOp::Gt => Instr::Compare(CmpOp::Gt),
        ast::CmpOp::GtE => Instr::Compare(CmpOp::Ge),
        ast::CmpOp::Is => Instr::IsOp(false),
        ast::CmpOp::IsNot => Instr::IsOp(true),
        ast::CmpOp::In => Instr::ContainsOp(false),
        ast::CmpOp::NotIn => Instr::ContainsOp(true),
    }
}

/// A capacity hint for the value stack (`co_stacksize`): the deepest point of a walk in
/// code order that takes each jump target's and handler's depth from where it is entered
/// (as CPython's `stackdepth` does by following the flow), plus one. The stack grows if a
/// path goes deeper; the hint stays tight because a suspended coroutine keeps its frame's
/// stack allocated.
fn estimate_stack(instrs: &[Instr]) -> u32 {
    use Instr::*;
    // The depth each jump or handler gives its target (a handler starts at its block's
    // level plus the exception it is given); code after an unconditional transfer is
    // reached only through such a target.
    let mut at: Vec<Option<i64>> = vec![None; instrs.len() + 1];
    let enter = |at: &mut Vec<Option<i64>>, t: u32, d: i64| {
        if let Some(slot) = at.get_mut(t as usize) {
            *slot = Some(slot.map_or(d, |old| old.max(d)));
        }
    };
    let (mut depth, mut max, mut reachable) = (0i64, 0i64, true);
    for (k, i) in instrs.iter().enumerate() {
        if let Some(d) = at[k] {
            depth = if reachable { depth.max(d) } else { d };
            reachable = true;
        }
        if !reachable {
            continue;
        }
        let before = depth;
        depth = (depth + super::stack_effect(i)).max(0);
        max = max.max(depth).max(before);
        match *i {
            SetupFinally(t) => enter(&mut at, t, before + 1),
            SetupWith(t) => enter(&mut at, t, before),
            Jump(t) => enter(&mut at, t, depth),
            PopJumpIfFalse(t) | PopJumpIfTrue(t) | JumpIfNotExcMatch(t) => enter(&mut at, t, depth),
            JumpIfFalseOrPop(t) | JumpIfTrueOrPop(t) => enter(&mut at, t, before),
            ForIter(t) => enter(&mut at, t, (before - 1).max(0)),
            _ => {}
        }
        if matches!(i, Jump(_) | ReturnValue | Raise(_) | Reraise) {
            reachable = false;
        }
    }
    // One slot of room for what instructions push and pop within themselves.
    (max + 1) as u32
}

/// Whether evaluating `e` surely binds no local: it is built of names, constants,
/// attributes, operators, subscripts and calls only (a walrus is the one expression that
/// binds a local of the function it runs in; callees cannot rebind the caller's fast
/// locals). The parser's nesting limit bounds the recursion.
fn cannot_rebind(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Constant(_) | ExprKind::Name(_) => true,
        ExprKind::Attribute { value, .. } | ExprKind::UnaryOp { operand: value, .. } => {
            cannot_rebind(value)
        }
        ExprKind::BinOp { left, right, .. }
        | ExprKind::Subscript {
            value: left,
            slice: right,
        } => cannot_rebind(left) && cannot_rebind(right),
        ExprKind::Call {
            func,
            args,
            keywords,
        } => {
            cannot_rebind(func)
                && args.iter().all(cannot_rebind)
                && keywords.iter().all(|k| cannot_rebind(&k.value))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::estimate_stack;
    use crate::code::Instr::*;

    /// Code after an unconditional jump starts at the depth its jumps bring, not at the
    /// depth the jump left behind in code order.
    #[test]
    fn the_stack_estimate_follows_jumps() {
        let instrs = [
            LoadConst(0),
            LoadConst(0),
            Jump(5),
            LoadConst(0), // unreachable
            LoadConst(0),
            BuildTuple(2),
            ReturnValue,
        ];
        assert_eq!(estimate_stack(&instrs), 3);
    }

    /// A handler starts at its block's level plus the exception; a `for` loop's exit at
    /// the depth below its iterator.
    #[test]
    fn the_stack_estimate_follows_handlers_and_loop_exits() {
        let handler = [
            SetupFinally(4),
            LoadConst(0),
            PopTop,
            PopBlock,
            LoadConst(0),
            BuildTuple(2),
            ReturnValue,
        ];
        assert_eq!(estimate_stack(&handler), 3);
        let for_loop = [
            LoadConst(0),
            GetIter,
            ForIter(5),
            StoreFast(0),
            Jump(2),
            LoadConst(0),
            ReturnValue,
        ];
        assert_eq!(estimate_stack(&for_loop), 3);
    }
}
