//! Scope analysis (CPython's `Python/symtable.c`): one pass records, per scope, how each
//! name is used; a second pass decides whether it is local, global, free or a cell. Class
//! bodies are scopes whose names their methods do not see; comprehensions are function
//! scopes of their own (Python 3.11), except that the first iterable belongs to the
//! enclosing scope.

use aio_parser::ast::*;
// foldhash (hashbrown's default) instead of SipHash: the keys are the program's names.
use hashbrown::{HashMap, HashSet};

/// What a scope is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScopeKind {
    /// The module body.
    Module,
    /// A class body.
    Class,
    /// A `def` or `async def`.
    Function,
    /// A `lambda`.
    Lambda,
    /// A comprehension or generator expression.
    Comprehension,
}

/// Where a name lives, after analysis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameScope {
    /// A fast local (or a namespace entry in module and class bodies).
    Local,
    /// Declared `global`.
    GlobalExplicit,
    /// Not bound anywhere enclosing: globals then builtins.
    GlobalImplicit,
    /// Bound in an enclosing function.
    Free,
    /// Local here and captured by an inner scope.
    Cell,
}

const DEF_GLOBAL: u16 = 1;
const DEF_LOCAL: u16 = 2;
const DEF_PARAM: u16 = 4;
const DEF_NONLOCAL: u16 = 8;
const USE: u16 = 16;
const DEF_FREE_CLASS: u16 = 32;
const DEF_COMP_ITER: u16 = 64;
const DEF_ANNOT: u16 = 128;

/// Why `global name` / `nonlocal name` (`which`) conflicts with what the scope already did
/// with `name` (flags `f`), checked in CPython's order.
fn declaration_conflict(f: u16, name: &str, which: &str) -> Option<String> {
    let other_flag = if which == "global" {
        DEF_NONLOCAL
    } else {
        DEF_GLOBAL
    };
    Some(if f & DEF_PARAM != 0 {
        format!("name '{name}' is parameter and {which}")
    } else if f & USE != 0 {
        format!("name '{name}' is used prior to {which} declaration")
    } else if f & DEF_ANNOT != 0 {
        format!("annotated name '{name}' can't be {which}")
    } else if f & DEF_LOCAL != 0 {
        format!("name '{name}' is assigned to before {which} declaration")
    } else if f & other_flag != 0 {
        format!("name '{name}' is nonlocal and global")
    } else {
        return None;
    })
}

/// A symbol-table error: message and byte offset, as CPython reports it.
#[derive(Debug, Clone)]
pub struct ScopeError {
    /// The message.
    pub message: String,
    /// Where.
    pub span: Span,
}

/// One scope and its names.
#[derive(Debug)]
pub struct Scope {
    /// Kind.
    pub kind: ScopeKind,
    /// Name (`<module>`, function or class name, `<lambda>`, `<listcomp>`...).
    pub name: String,
    /// Names in order of first appearance, with their flags.
    order: Vec<String>,
    flags: HashMap<String, u16>,
    /// Result of analysis.
    pub scopes: HashMap<String, NameScope>,
    /// Parameters, in order.
    pub params: Vec<String>,
    /// Child scopes, in order.
    pub children: Vec<usize>,
    /// The body contains `yield` / `yield from`.
    pub is_generator: bool,
    /// `async def` (or an async comprehension).
    pub is_coroutine: bool,
    /// A method uses `super` or `__class__`: the class needs a `__class__` cell.
    pub needs_class_cell: bool,
    /// The scope is inside a class body directly (for `__class__`).
    pub in_class: bool,
    /// The scope is inside a function, directly or through other scopes (CPython's
    /// `ste_nested`, which gives function code `CO_NESTED`).
    pub nested: bool,
    /// Names of free variables in the order they were discovered.
    pub free_order: Vec<String>,
    /// Comprehension: is a generator expression.
    pub is_genexp: bool,
    /// Where each `nonlocal` name was declared (for "no binding" errors).
    nonlocal_spans: HashMap<String, Span>,
}

impl Scope {
    fn new(kind: ScopeKind, name: &str) -> Scope {
        Scope {
            kind,
            name: name.to_string(),
            order: Vec::new(),
            flags: HashMap::new(),
            scopes: HashMap::new(),
            params: Vec::new(),
            children: Vec::new(),
            is_generator: false,
            is_coroutine: false,
            needs_class_cell: false,
            in_class: false,
            nested: false,
            free_order: Vec::new(),
            is_genexp: false,
            nonlocal_spans: HashMap::new(),
        }
    }

    /// How `name` is resolved in this scope.
    pub fn lookup(&self, name: &str) -> NameScope {
        self.scopes
            .get(name)
            .copied()
            .unwrap_or(NameScope::GlobalImplicit)
    }

    /// Names in order of first appearance.
    pub fn names(&self) -> &[String] {
        &self.order
    }

    /// True when the name is a parameter or assigned here.
    pub fn is_bound(&self, name: &str) -> bool {
        self.flags
            .get(name)
            .is_some_and(|f| f & (DEF_LOCAL | DEF_PARAM) != 0)
    }
}

/// The scopes of a module; scope 0 is the module.
pub struct SymbolTable {
    /// All scopes.
    pub scopes: Vec<Scope>,
    /// The scope created for an AST node (keyed by the node's address).
    pub by_node: HashMap<usize, usize>,
}

impl SymbolTable {
    /// The scope created for `node`.
    pub fn scope_of<T>(&self, node: &T) -> usize {
        self.by_node[&(node as *const T as usize)]
    }
}

/// Builds and analyses the symbol table of a module.
pub fn build(module: &Module, interactive: bool) -> Result<SymbolTable, ScopeError> {
    let mut b = Builder {
        table: SymbolTable {
            scopes: vec![Scope::new(ScopeKind::Module, "<module>")],
            by_node: HashMap::new(),
        },
        stack: vec![0],
        comp_iter_depth: 0,
        interactive,
    };
    for s in &module.body {
        b.stmt(s)?;
    }
    let mut table = b.table;
    analyze(
        &mut table,
        0,
        &HashSet::new(),
        &HashSet::new(),
        &HashSet::new(),
    )?;
    Ok(table)
}

struct Builder {
    table: SymbolTable,
    stack: Vec<usize>,
    /// How many comprehension iterables (`for x in ITER`) are being visited: an assignment
    /// expression anywhere inside one is an error, as CPython's `ste_comp_iter_expr`.
    comp_iter_depth: u32,
    #[allow(dead_code)]
    interactive: bool,
}

fn err<T>(message: impl Into<String>, span: Span) -> Result<T, ScopeError> {
    Err(ScopeError {
        message: message.into(),
        span,
    })
}

impl Builder {
    fn cur(&mut self) -> &mut Scope {
        let i = *self.stack.last().unwrap();
        &mut self.table.scopes[i]
    }

    fn add(&mut self, name: &str, flag: u16, span: Span) -> Result<(), ScopeError> {
        let scope = self.cur();
        let old = scope.flags.get(name).copied();
        if flag & DEF_PARAM != 0 && old.is_some_and(|f| f & DEF_PARAM != 0) {
            return err(
                format!("duplicate argument '{name}' in function definition"),
                span,
            );
        }
        if old.is_none() {
            scope.order.push(name.to_string());
        }
        let mut new = old.unwrap_or(0) | flag;
        if flag & (DEF_LOCAL) != 0
            && scope.kind == ScopeKind::Comprehension
            && old.is_some_and(|f| f & DEF_COMP_ITER != 0)
        {
            new |= 0;
        }
        scope.flags.insert(name.to_string(), new);
        Ok(())
    }

    fn push(&mut self, kind: ScopeKind, name: &str, key: usize) -> usize {
        let parent = *self.stack.last().unwrap();
        let mut scope = Scope::new(kind, name);
        scope.in_class = self.table.scopes[parent].kind == ScopeKind::Class;
        let outer = &self.table.scopes[parent];
        scope.nested = outer.nested
            || matches!(
                outer.kind,
                ScopeKind::Function | ScopeKind::Lambda | ScopeKind::Comprehension
            );
        let id = self.table.scopes.len();
        self.table.scopes.push(scope);
        self.table.scopes[parent].children.push(id);
        self.table.by_node.insert(key, id);
        self.stack.push(id);
        id
    }

    fn pop(&mut self) {
        self.stack.pop();
    }

    fn stmts(&mut self, body: &[Stmt]) -> Result<(), ScopeError> {
        for s in body {
            self.stmt(s)?;
        }
        Ok(())
    }

    fn stmt(&mut self, s: &Stmt) -> Result<(), ScopeError> {
        match &s.kind {
            StmtKind::FunctionDef(f) => {
                self.add(&f.name.name, DEF_LOCAL, f.name.span)?;
                for d in &f.decorators {
                    self.expr(d)?;
                }
                self.defaults(&f.args)?;
                self.annotations(&f.args)?;
                if let Some(r) = &f.returns {
                    self.expr(r)?;
                }
                let id = self.push(
                    ScopeKind::Function,
                    &f.name.name,
                    &**f as *const FunctionDef as usize,
                );
                self.table.scopes[id].is_coroutine = f.is_async;
                self.params(&f.args)?;
                self.stmts(&f.body)?;
                self.pop();
            }
            StmtKind::ClassDef(c) => {
                self.add(&c.name.name, DEF_LOCAL, c.name.span)?;
                for d in &c.decorators {
                    self.expr(d)?;
                }
                for b in &c.bases {
                    self.expr(b)?;
                }
                for k in &c.keywords {
                    self.expr(&k.value)?;
                }
                self.push(
                    ScopeKind::Class,
                    &c.name.name,
                    &**c as *const ClassDef as usize,
                );
                self.stmts(&c.body)?;
                self.pop();
            }
            StmtKind::Return(v) => {
                if let Some(v) = v {
                    self.expr(v)?;
                }
            }
            StmtKind::Delete(targets) => {
                for t in targets {
                    self.target(t)?;
                }
            }
            StmtKind::Assign { targets, value } => {
                self.expr(value)?;
                for t in targets {
                    self.target(t)?;
                }
            }
            StmtKind::AugAssign { target, value, .. } => {
                self.expr(value)?;
                if let ExprKind::Name(n) = &target.kind {
                    self.add(n, DEF_LOCAL | USE, target.span)?;
                } else {
                    self.target(target)?;
                }
            }
            StmtKind::AnnAssign {
                target,
                annotation,
                value,
                simple,
            } => {
                if let ExprKind::Name(n) = &target.kind {
                    let cur = self.cur();
                    if let Some(f) = cur.flags.get(n.as_str()) {
                        if f & (DEF_GLOBAL | DEF_NONLOCAL) != 0 && *simple {
                            let which = if f & DEF_GLOBAL != 0 {
                                "global"
                            } else {
                                "nonlocal"
                            };
                            return err(format!("annotated name '{n}' can't be {which}"), s.span);
                        }
                    }
                    if *simple {
                        self.add(n, DEF_ANNOT | DEF_LOCAL, target.span)?;
                    } else if value.is_some() {
                        self.add(n, DEF_LOCAL, target.span)?;
                    }
                } else {
                    self.target(target)?;
                }
                self.expr(annotation)?;
                if let Some(v) = value {
                    self.expr(v)?;
                }
            }
            StmtKind::For {
                target,
                iter,
                body,
                orelse,
                ..
            } => {
                self.expr(iter)?;
                self.target(target)?;
                self.stmts(body)?;
                self.stmts(orelse)?;
            }
            StmtKind::While { test, body, orelse } => {
                self.expr(test)?;
                self.stmts(body)?;
                self.stmts(orelse)?;
            }
            StmtKind::If { test, body, orelse } => {
                self.expr(test)?;
                self.stmts(body)?;
                self.stmts(orelse)?;
            }
            StmtKind::With { items, body, .. } => {
                for item in items {
                    self.expr(&item.context_expr)?;
                    if let Some(v) = &item.optional_vars {
                        self.target(v)?;
                    }
                }
                self.stmts(body)?;
            }
            StmtKind::Match { subject, cases } => {
                self.expr(subject)?;
                for c in cases {
                    self.pattern(&c.pattern)?;
                    if let Some(g) = &c.guard {
                        self.expr(g)?;
                    }
                    self.stmts(&c.body)?;
                }
            }
            StmtKind::Raise { exc, cause } => {
                if let Some(e) = exc {
                    self.expr(e)?;
                }
                if let Some(c) = cause {
                    self.expr(c)?;
                }
            }
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
                ..
            } => {
                self.stmts(body)?;
                for h in handlers {
                    if let Some(t) = &h.typ {
                        self.expr(t)?;
                    }
                    if let Some(n) = &h.name {
                        self.add(&n.name, DEF_LOCAL, n.span)?;
                    }
                    self.stmts(&h.body)?;
                }
                self.stmts(orelse)?;
                self.stmts(finalbody)?;
            }
            StmtKind::Assert { test, msg } => {
                self.expr(test)?;
                if let Some(m) = msg {
                    self.expr(m)?;
                }
            }
            StmtKind::Import(aliases) | StmtKind::ImportFrom { names: aliases, .. } => {
                for a in aliases {
                    if a.name == "*" {
                        if self.cur().kind != ScopeKind::Module {
                            return err("import * only allowed at module level", a.span);
                        }
                        continue;
                    }
                    let bound = match &a.asname {
                        Some(n) => n.name.clone(),
                        None => a.name.split('.').next().unwrap_or("").to_string(),
                    };
                    self.add(&bound, DEF_LOCAL, a.span)?;
                }
            }
            StmtKind::Global(names) => {
                for n in names {
                    if let Some(&f) = self.cur().flags.get(n.name.as_str()) {
                        if let Some(msg) = declaration_conflict(f, &n.name, "global") {
                            return err(msg, s.span);
                        }
                    }
                    self.add(&n.name, DEF_GLOBAL, n.span)?;
                }
            }
            StmtKind::Nonlocal(names) => {
                for n in names {
                    if self.cur().kind == ScopeKind::Module {
                        return err("nonlocal declaration not allowed at module level", s.span);
                    }
                    if let Some(&f) = self.cur().flags.get(n.name.as_str()) {
                        if let Some(msg) = declaration_conflict(f, &n.name, "nonlocal") {
                            return err(msg, s.span);
                        }
                    }
                    self.add(&n.name, DEF_NONLOCAL, n.span)?;
                    self.cur().nonlocal_spans.insert(n.name.clone(), s.span);
                }
            }
            StmtKind::Expr(e) => self.expr(e)?,
            StmtKind::Pass | StmtKind::Break | StmtKind::Continue => {}
        }
        Ok(())
    }

    fn defaults(&mut self, a: &Arguments) -> Result<(), ScopeError> {
        for d in &a.defaults {
            self.expr(d)?;
        }
        for d in a.kw_defaults.iter().flatten() {
            self.expr(d)?;
        }
        Ok(())
    }

    fn annotations(&mut self, a: &Arguments) -> Result<(), ScopeError> {
        let all = a
            .posonlyargs
            .iter()
            .chain(&a.args)
            .chain(&a.vararg)
            .chain(&a.kwonlyargs)
            .chain(&a.kwarg);
        for arg in all {
            if let Some(an) = &arg.annotation {
                self.expr(an)?;
            }
        }
        Ok(())
    }

    fn params(&mut self, a: &Arguments) -> Result<(), ScopeError> {
        let ordered = a
            .posonlyargs
            .iter()
            .chain(&a.args)
            .chain(&a.kwonlyargs)
            .chain(&a.vararg)
            .chain(&a.kwarg);
        for arg in ordered {
            self.add(&arg.name.name, DEF_PARAM, arg.name.span)?;
            self.cur().params.push(arg.name.name.clone());
        }
        Ok(())
    }

    fn target(&mut self, t: &Expr) -> Result<(), ScopeError> {
        match &t.kind {
            ExprKind::Name(n) => self.add(n, DEF_LOCAL, t.span),
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                for i in items {
                    self.target(i)?;
                }
                Ok(())
            }
            ExprKind::Starred(inner) => self.target(inner),
            _ => self.expr(t),
        }
    }

    fn pattern(&mut self, p: &Pattern) -> Result<(), ScopeError> {
        match &p.kind {
            PatternKind::MatchValue(e) => self.expr(e),
            PatternKind::MatchSingleton(_) => Ok(()),
            PatternKind::MatchSequence(ps) | PatternKind::MatchOr(ps) => {
                for q in ps {
                    self.pattern(q)?;
                }
                Ok(())
            }
            PatternKind::MatchMapping {
                keys,
                patterns,
                rest,
            } => {
                for k in keys {
                    self.expr(k)?;
                }
                for q in patterns {
                    self.pattern(q)?;
                }
                if let Some(r) = rest {
                    self.add(&r.name, DEF_LOCAL, r.span)?;
                }
                Ok(())
            }
            PatternKind::MatchClass {
                cls,
                patterns,
                kwd_patterns,
                ..
            } => {
                self.expr(cls)?;
                for q in patterns.iter().chain(kwd_patterns) {
                    self.pattern(q)?;
                }
                Ok(())
            }
            PatternKind::MatchStar(name) => {
                if let Some(n) = name {
                    self.add(&n.name, DEF_LOCAL, n.span)?;
                }
                Ok(())
            }
            PatternKind::MatchAs { pattern, name } => {
                if let Some(q) = pattern {
                    self.pattern(q)?;
                }
                if let Some(n) = name {
                    self.add(&n.name, DEF_LOCAL, n.span)?;
                }
                Ok(())
            }
        }
    }

    fn expr(&mut self, e: &Expr) -> Result<(), ScopeError> {
        match &e.kind {
            ExprKind::BoolOp { values, .. } => {
                for v in values {
                    self.expr(v)?;
                }
            }
            ExprKind::NamedExpr { target, value } => {
                if self.comp_iter_depth > 0 {
                    return err(
                        "assignment expression cannot be used in a comprehension iterable expression",
                        e.span,
                    );
                }
                self.expr(value)?;
                if let ExprKind::Name(n) = &target.kind {
                    self.walrus_target(n, target.span)?;
                }
            }
            ExprKind::BinOp { left, right, .. } => {
                self.expr(left)?;
                self.expr(right)?;
            }
            ExprKind::UnaryOp { operand, .. } => self.expr(operand)?,
            ExprKind::Lambda { args, body } => {
                self.defaults(args)?;
                self.push(ScopeKind::Lambda, "<lambda>", e as *const Expr as usize);
                self.params(args)?;
                self.expr(body)?;
                self.pop();
            }
            ExprKind::IfExp { test, body, orelse } => {
                self.expr(test)?;
                self.expr(body)?;
                self.expr(orelse)?;
            }
            ExprKind::Dict { keys, values } => {
                for k in keys.iter().flatten() {
                    self.expr(k)?;
                }
                for v in values {
                    self.expr(v)?;
                }
            }
            ExprKind::Set(items) | ExprKind::List(items) | ExprKind::Tuple(items) => {
                for i in items {
                    self.expr(i)?;
                }
            }
            ExprKind::ListComp { elt, generators } => {
                self.comprehension(e, "<listcomp>", &[elt], generators, false)?
            }
            ExprKind::SetComp { elt, generators } => {
                self.comprehension(e, "<setcomp>", &[elt], generators, false)?
            }
            ExprKind::GeneratorExp { elt, generators } => {
                self.comprehension(e, "<genexpr>", &[elt], generators, true)?
            }
            ExprKind::DictComp {
                key,
                value,
                generators,
            } => self.comprehension(e, "<dictcomp>", &[key, value], generators, false)?,
            ExprKind::Await(v) => {
                // An `await` makes the comprehension it is in asynchronous, as `async for`
                // does (CPython 3.11 compiles it as a coroutine awaited in place).
                let cur = *self.stack.last().expect("scope");
                if self.table.scopes[cur].kind == ScopeKind::Comprehension {
                    self.table.scopes[cur].is_coroutine = true;
                }
                self.expr(v)?
            }
            ExprKind::Yield(v) => {
                self.cur().is_generator = true;
                if let Some(v) = v {
                    self.expr(v)?;
                }
            }
            ExprKind::YieldFrom(v) => {
                self.cur().is_generator = true;
                self.expr(v)?;
            }
            ExprKind::Compare {
                left, comparators, ..
            } => {
                self.expr(left)?;
                for c in comparators {
                    self.expr(c)?;
                }
            }
            ExprKind::Call {
                func,
                args,
                keywords,
            } => {
                self.expr(func)?;
                for a in args {
                    self.expr(a)?;
                }
                for k in keywords {
                    self.expr(&k.value)?;
                }
            }
            ExprKind::JoinedStr(parts) => self.fstring(parts)?,
            ExprKind::Constant(_) => {}
            ExprKind::Attribute { value, .. } => self.expr(value)?,
            ExprKind::Subscript { value, slice } => {
                self.expr(value)?;
                self.expr(slice)?;
            }
            ExprKind::Starred(v) => self.expr(v)?,
            ExprKind::Name(n) => {
                self.add(n, USE, e.span)?;
                let kind = self.cur().kind;
                if n == "super" && !matches!(kind, ScopeKind::Module | ScopeKind::Class) {
                    // Zero-argument super() needs the __class__ cell: in a lambda or a
                    // comprehension too, as CPython's function blocks.
                    self.add("__class__", USE, e.span)?;
                }
            }
            ExprKind::Slice { lower, upper, step } => {
                for part in [lower, upper, step].into_iter().flatten() {
                    self.expr(part)?;
                }
            }
        }
        Ok(())
    }

    fn fstring(&mut self, parts: &[FStringElement]) -> Result<(), ScopeError> {
        for p in parts {
            if let FStringElement::Formatted {
                value, format_spec, ..
            } = p
            {
                self.expr(value)?;
                if let Some(spec) = format_spec {
                    self.fstring(spec)?;
                }
            }
        }
        Ok(())
    }

    fn walrus_target(&mut self, name: &str, span: Span) -> Result<(), ScopeError> {
        // In a comprehension, the target binds in the nearest enclosing non-comprehension scope.
        let mut depth = self.stack.len() - 1;
        let top = self.stack[depth];
        if self.table.scopes[top].kind != ScopeKind::Comprehension {
            return self.add(name, DEF_LOCAL, span);
        }
        loop {
            let id = self.stack[depth];
            let scope = &self.table.scopes[id];
            if scope.kind == ScopeKind::Comprehension {
                if scope
                    .flags
                    .get(name)
                    .is_some_and(|f| f & DEF_COMP_ITER != 0)
                {
                    return err(
                        format!("assignment expression cannot rebind comprehension iteration variable '{name}'"),
                        span,
                    );
                }
                depth -= 1;
                continue;
            }
            if scope.kind == ScopeKind::Class {
                return err(
                    "assignment expression within a comprehension cannot be used in a class body",
                    span,
                );
            }
            // Mark as nonlocal/global in the comprehension(s) and local in the target scope.
            let target_is_module = scope.kind == ScopeKind::Module;
            {
                let s = &mut self.table.scopes[id];
                if !s.flags.contains_key(name) {
                    s.order.push(name.to_string());
                }
                *s.flags.entry(name.to_string()).or_insert(0) |= DEF_LOCAL;
            }
            for &cid in &self.stack[depth + 1..] {
                let s = &mut self.table.scopes[cid];
                if !s.flags.contains_key(name) {
                    s.order.push(name.to_string());
                }
                *s.flags.entry(name.to_string()).or_insert(0) |= if target_is_module {
                    DEF_GLOBAL
                } else {
                    DEF_NONLOCAL
                };
            }
            return Ok(());
        }
    }

    fn comprehension(
        &mut self,
        node: &Expr,
        name: &str,
        elts: &[&Expr],
        generators: &[Comprehension],
        is_genexp: bool,
    ) -> Result<(), ScopeError> {
        let first = &generators[0];
        self.comp_iter(&first.iter)?;
        let id = self.push(ScopeKind::Comprehension, name, node as *const Expr as usize);
        self.table.scopes[id].is_genexp = is_genexp;
        self.table.scopes[id].is_generator = is_genexp;
        let any_async = generators.iter().any(|g| g.is_async);
        self.table.scopes[id].is_coroutine = any_async;
        self.add(".0", DEF_PARAM, first.iter.span)?;
        self.cur().params.push(".0".to_string());
        for (i, g) in generators.iter().enumerate() {
            if i > 0 {
                self.comp_iter(&g.iter)?;
            }
            self.comp_target(&g.target)?;
            for cond in &g.ifs {
                self.expr(cond)?;
            }
        }
        for e in elts {
            self.expr(e)?;
        }
        self.pop();
        // An asynchronous list/set/dict comprehension is awaited where it stands: inside
        // another comprehension, that one becomes asynchronous too.
        if self.table.scopes[id].is_coroutine && !is_genexp {
            let parent = *self.stack.last().expect("scope");
            if self.table.scopes[parent].kind == ScopeKind::Comprehension {
                self.table.scopes[parent].is_coroutine = true;
            }
        }
        Ok(())
    }

    /// Visits the iterable of one `for` clause of a comprehension.
    fn comp_iter(&mut self, iter: &Expr) -> Result<(), ScopeError> {
        self.comp_iter_depth += 1;
        let r = self.expr(iter);
        self.comp_iter_depth -= 1;
        r
    }

    fn comp_target(&mut self, t: &Expr) -> Result<(), ScopeError> {
        match &t.kind {
            ExprKind::Name(n) => self.add(n, DEF_LOCAL | DEF_COMP_ITER, t.span),
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                for i in items {
                    self.comp_target(i)?;
                }
                Ok(())
            }
            ExprKind::Starred(inner) => self.comp_target(inner),
            _ => self.expr(t),
        }
    }
}

/// Resolves every name of scope `id` and its children. `bound`: names bound in enclosing
/// function scopes; `global`: names declared global in enclosing scopes.
fn analyze(
    table: &mut SymbolTable,
    id: usize,
    bound: &HashSet<String>,
    global: &HashSet<String>,
    _class_names: &HashSet<String>,
) -> Result<HashSet<String>, ScopeError> {
    let kind = table.scopes[id].kind;
    let mut local = HashSet::new();
    let mut new_global = global.clone();
    let names: Vec<(String, u16)> = table.scopes[id]
        .order
        .iter()
        .map(|n| (n.clone(), table.scopes[id].flags[n]))
        .collect();
    let mut result: HashMap<String, NameScope> = HashMap::new();
    for (name, f) in &names {
        let sc = if f & DEF_GLOBAL != 0 {
            new_global.insert(name.clone());
            NameScope::GlobalExplicit
        } else if f & DEF_NONLOCAL != 0 {
            if !bound.contains(name) {
                return Err(ScopeError {
                    message: format!("no binding for nonlocal '{name}' found"),
                    span: table.scopes[id]
                        .nonlocal_spans
                        .get(name)
                        .copied()
                        .unwrap_or_default(),
                });
            }
            NameScope::Free
        } else if f & (DEF_LOCAL | DEF_PARAM) != 0 {
            local.insert(name.clone());
            new_global.remove(name);
            NameScope::Local
        } else if bound.contains(name) {
            // Also in a class body: a name an enclosing function binds is free there (the
            // class loads it with LoadClassDeref, its own namespace first), as in CPython.
            NameScope::Free
        } else {
            NameScope::GlobalImplicit
        };
        result.insert(name.clone(), sc);
    }
    // Names visible to children as enclosing bindings.
    let mut new_bound = bound.clone();
    if matches!(
        kind,
        ScopeKind::Function | ScopeKind::Lambda | ScopeKind::Comprehension
    ) {
        for n in &local {
            new_bound.insert(n.clone());
        }
    }
    if kind == ScopeKind::Class {
        new_bound.insert("__class__".to_string());
    }
    let children = table.scopes[id].children.clone();
    let mut child_free: Vec<String> = Vec::new();
    for c in children {
        let free = analyze(table, c, &new_bound, &new_global, &HashSet::new())?;
        for n in free {
            if !child_free.contains(&n) {
                child_free.push(n);
            }
        }
    }
    // Free names of children: cells here when local, free here when passing through.
    let mut free_here: HashSet<String> = HashSet::new();
    for n in &child_free {
        match result.get(n).copied() {
            Some(NameScope::Local) if kind != ScopeKind::Class && kind != ScopeKind::Module => {
                result.insert(n.clone(), NameScope::Cell);
            }
            Some(NameScope::Local) if kind == ScopeKind::Class => {
                // A method refers to a name bound in an enclosing function that the class
                // also binds: the class loads it with LoadClassDeref.
                if bound.contains(n) {
                    let s = &mut table.scopes[id];
                    *s.flags.get_mut(n).unwrap() |= DEF_FREE_CLASS;
                    free_here.insert(n.clone());
                }
            }
            Some(NameScope::Cell) | Some(NameScope::GlobalExplicit) => {}
            Some(NameScope::Free) => {
                free_here.insert(n.clone());
            }
            _ if kind == ScopeKind::Class && n == "__class__" => {
                table.scopes[id].needs_class_cell = true;
            }
            _ => {
                if bound.contains(n) {
                    if !result.contains_key(n) {
                        table.scopes[id].order.push(n.clone());
                    }
                    result.insert(n.clone(), NameScope::Free);
                    free_here.insert(n.clone());
                }
            }
        }
    }
    for (n, sc) in &result {
        if *sc == NameScope::Free {
            free_here.insert(n.clone());
        }
    }
    let scope = &mut table.scopes[id];
    let mut free_order: Vec<String> = scope
        .order
        .iter()
        .filter(|n| free_here.contains(*n) && result.get(*n) == Some(&NameScope::Free))
        .cloned()
        .collect();
    for n in &child_free {
        if free_here.contains(n)
            && !free_order.contains(n)
            && result.get(n) == Some(&NameScope::Free)
        {
            free_order.push(n.clone());
        }
    }
    scope.free_order = free_order;
    scope.scopes = result;
    Ok(free_here)
}

/// True when the class-scope name is both bound in the class and captured by a method from
/// an enclosing function (the class must use `LoadClassDeref`).
pub fn is_free_class(scope: &Scope, name: &str) -> bool {
    scope
        .flags
        .get(name)
        .is_some_and(|f| f & DEF_FREE_CLASS != 0)
}
