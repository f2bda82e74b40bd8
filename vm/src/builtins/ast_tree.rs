//! `compile(source, filename, mode, PyCF_ONLY_AST)`, which `ast.parse` calls: the parser's
//! tree as objects of the `_ast` module's node classes (the standard library defines them),
//! with CPython's positions (1-based lines, columns in UTF-8 bytes) and the load, store and
//! delete contexts that the parser leaves to the compiler. As in CPython 3.11, the parts of
//! an f-string (its literal pieces and `FormattedValue`s) carry the whole string's position;
//! one difference: the `JoinedStr` of a format spec (`{x:{w}}`) in a concatenation of
//! strings also does, where CPython 3.11 gives it the position of its own string.

use crate::value::{Obj, Value};
use crate::vm::{PyResult, Vm};
use aio_lexer::{IntValue, LineIndex, Span};
use aio_parser::ast::*;
use std::collections::HashMap;

/// The load/store/delete context of a target or name.
#[derive(Clone, Copy)]
enum Ctx {
    Load,
    Store,
    Del,
}

/// Builds node objects for one source text.
pub(super) struct TreeBuilder<'a> {
    vm: &'a mut Vm,
    /// The `_ast` module's namespace (its node classes).
    ns: Obj,
    lines: LineIndex,
    /// One instance per context and operator class, shared as CPython's parser shares them.
    singletons: HashMap<&'static str, Value>,
}

type R = PyResult<Value>;

impl<'a> TreeBuilder<'a> {
    /// A builder for `source`, whose node classes come from the `_ast` module.
    pub(super) fn new(vm: &'a mut Vm, source: &str) -> PyResult<TreeBuilder<'a>> {
        let module = vm.import_module("_ast")?;
        let ns = match &module {
            Value::Obj(m) => vm.module_globals(m),
            _ => None,
        }
        .ok_or_else(|| vm.new_type_error("_ast is not a module"))?;
        Ok(TreeBuilder {
            vm,
            ns,
            lines: LineIndex::new(source),
            singletons: HashMap::new(),
        })
    }

    fn class(&mut self, name: &str) -> R {
        let key = self.vm.intern(name);
        self.vm
            .dict_get_str(&self.ns, &key)
            .ok_or_else(|| self.vm.new_type_error(format!("_ast has no class {name}")))
    }

    /// A node of class `name` with `fields` set and, when `span` is given, its position.
    fn node(&mut self, name: &str, fields: Vec<(&str, Value)>, span: Option<Span>) -> R {
        let cls = self.class(name)?;
        let obj = self.vm.call(&cls, &[], &[])?;
        for (field, value) in fields {
            let key = self.vm.intern(field);
            self.vm.set_attr(&obj, &key, value)?;
        }
        if let Some(span) = span {
            let (line, col) = self.position(span.start);
            let (end_line, end_col) = self.position(span.end);
            for (field, value) in [
                ("lineno", line),
                ("col_offset", col),
                ("end_lineno", end_line),
                ("end_col_offset", end_col),
            ] {
                let key = self.vm.intern(field);
                self.vm.set_attr(&obj, &key, Value::Int(value))?;
            }
        }
        Ok(obj)
    }

    /// The 1-based line and UTF-8 byte column of byte `offset`.
    fn position(&self, offset: u32) -> (i64, i64) {
        let line = self.lines.line(offset);
        let col = offset - self.lines.line_start(line);
        (line as i64, col as i64)
    }

    /// The shared instance of the field-less class `name` (`Load`, `Add`, `Eq`, ...).
    fn singleton(&mut self, name: &'static str) -> R {
        if let Some(v) = self.singletons.get(name) {
            return Ok(v.clone());
        }
        let v = self.node(name, vec![], None)?;
        self.singletons.insert(name, v.clone());
        Ok(v)
    }

    fn list<T>(&mut self, items: &[T], f: impl Fn(&mut Self, &T) -> R) -> R {
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            out.push(f(self, item)?);
        }
        Ok(self.vm.new_list(out))
    }

    fn opt<T>(&mut self, item: Option<&T>, f: impl Fn(&mut Self, &T) -> R) -> R {
        match item {
            Some(item) => f(self, item),
            None => Ok(Value::None),
        }
    }

    /// `Module(body, type_ignores)`.
    pub(super) fn module(&mut self, m: &Module) -> R {
        let body = self.stmts(&m.body)?;
        let ignores = self.vm.new_list(vec![]);
        self.node(
            "Module",
            vec![("body", body), ("type_ignores", ignores)],
            None,
        )
    }

    /// `Interactive(body)`.
    pub(super) fn interactive(&mut self, m: &Module) -> R {
        let body = self.stmts(&m.body)?;
        self.node("Interactive", vec![("body", body)], None)
    }

    /// `Expression(body)`.
    pub(super) fn expression(&mut self, e: &Expr) -> R {
        let body = self.expr(e)?;
        self.node("Expression", vec![("body", body)], None)
    }

    fn stmts(&mut self, body: &[Stmt]) -> R {
        self.list(body, Self::stmt)
    }

    fn exprs(&mut self, items: &[Expr]) -> R {
        self.list(items, Self::expr)
    }

    fn targets(&mut self, items: &[Expr], ctx: Ctx) -> R {
        self.list(items, |b, e| b.expr_ctx(e, ctx))
    }

    fn ident(&mut self, i: &Ident) -> R {
        Ok(Value::str(i.name.as_str()))
    }

    fn idents(&mut self, items: &[Ident]) -> R {
        self.list(items, Self::ident)
    }

    fn stmt(&mut self, s: &Stmt) -> R {
        let span = Some(s.span);
        match &s.kind {
            StmtKind::FunctionDef(f) => {
                let fields = vec![
                    ("name", self.ident(&f.name)?),
                    ("args", self.arguments(&f.args)?),
                    ("body", self.stmts(&f.body)?),
                    ("decorator_list", self.exprs(&f.decorators)?),
                    ("returns", self.opt(f.returns.as_ref(), Self::expr)?),
                    ("type_comment", Value::None),
                ];
                let name = if f.is_async {
                    "AsyncFunctionDef"
                } else {
                    "FunctionDef"
                };
                self.node(name, fields, span)
            }
            StmtKind::ClassDef(c) => {
                let fields = vec![
                    ("name", self.ident(&c.name)?),
                    ("bases", self.exprs(&c.bases)?),
                    ("keywords", self.list(&c.keywords, Self::keyword)?),
                    ("body", self.stmts(&c.body)?),
                    ("decorator_list", self.exprs(&c.decorators)?),
                ];
                self.node("ClassDef", fields, span)
            }
            StmtKind::Return(v) => {
                let value = self.opt(v.as_ref(), Self::expr)?;
                self.node("Return", vec![("value", value)], span)
            }
            StmtKind::Delete(targets) => {
                let t = self.targets(targets, Ctx::Del)?;
                self.node("Delete", vec![("targets", t)], span)
            }
            StmtKind::Assign { targets, value } => {
                let fields = vec![
                    ("targets", self.targets(targets, Ctx::Store)?),
                    ("value", self.expr(value)?),
                    ("type_comment", Value::None),
                ];
                self.node("Assign", fields, span)
            }
            StmtKind::AugAssign { target, op, value } => {
                let fields = vec![
                    ("target", self.expr_ctx(target, Ctx::Store)?),
                    ("op", self.binop(*op)?),
                    ("value", self.expr(value)?),
                ];
                self.node("AugAssign", fields, span)
            }
            StmtKind::AnnAssign {
                target,
                annotation,
                value,
                simple,
            } => {
                let fields = vec![
                    ("target", self.expr_ctx(target, Ctx::Store)?),
                    ("annotation", self.expr(annotation)?),
                    ("value", self.opt(value.as_ref(), Self::expr)?),
                    ("simple", Value::Int(*simple as i64)),
                ];
                self.node("AnnAssign", fields, span)
            }
            StmtKind::For {
                is_async,
                target,
                iter,
                body,
                orelse,
            } => {
                let fields = vec![
                    ("target", self.expr_ctx(target, Ctx::Store)?),
                    ("iter", self.expr(iter)?),
                    ("body", self.stmts(body)?),
                    ("orelse", self.stmts(orelse)?),
                    ("type_comment", Value::None),
                ];
                self.node(if *is_async { "AsyncFor" } else { "For" }, fields, span)
            }
            StmtKind::While { test, body, orelse } => {
                let fields = vec![
                    ("test", self.expr(test)?),
                    ("body", self.stmts(body)?),
                    ("orelse", self.stmts(orelse)?),
                ];
                self.node("While", fields, span)
            }
            StmtKind::If { test, body, orelse } => {
                let fields = vec![
                    ("test", self.expr(test)?),
                    ("body", self.stmts(body)?),
                    ("orelse", self.stmts(orelse)?),
                ];
                self.node("If", fields, span)
            }
            StmtKind::With {
                is_async,
                items,
                body,
            } => {
                let fields = vec![
                    ("items", self.list(items, Self::withitem)?),
                    ("body", self.stmts(body)?),
                    ("type_comment", Value::None),
                ];
                self.node(if *is_async { "AsyncWith" } else { "With" }, fields, span)
            }
            StmtKind::Match { subject, cases } => {
                let fields = vec![
                    ("subject", self.expr(subject)?),
                    ("cases", self.list(cases, Self::match_case)?),
                ];
                self.node("Match", fields, span)
            }
            StmtKind::Raise { exc, cause } => {
                let fields = vec![
                    ("exc", self.opt(exc.as_ref(), Self::expr)?),
                    ("cause", self.opt(cause.as_ref(), Self::expr)?),
                ];
                self.node("Raise", fields, span)
            }
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
                is_star,
            } => {
                let fields = vec![
                    ("body", self.stmts(body)?),
                    ("handlers", self.list(handlers, Self::handler)?),
                    ("orelse", self.stmts(orelse)?),
                    ("finalbody", self.stmts(finalbody)?),
                ];
                self.node(if *is_star { "TryStar" } else { "Try" }, fields, span)
            }
            StmtKind::Assert { test, msg } => {
                let fields = vec![
                    ("test", self.expr(test)?),
                    ("msg", self.opt(msg.as_ref(), Self::expr)?),
                ];
                self.node("Assert", fields, span)
            }
            StmtKind::Import(names) => {
                let names = self.list(names, Self::alias)?;
                self.node("Import", vec![("names", names)], span)
            }
            StmtKind::ImportFrom {
                module,
                names,
                level,
            } => {
                let fields = vec![
                    ("module", module.as_deref().map_or(Value::None, Value::str)),
                    ("names", self.list(names, Self::alias)?),
                    ("level", Value::Int(*level as i64)),
                ];
                self.node("ImportFrom", fields, span)
            }
            StmtKind::Global(names) => {
                let names = self.idents(names)?;
                self.node("Global", vec![("names", names)], span)
            }
            StmtKind::Nonlocal(names) => {
                let names = self.idents(names)?;
                self.node("Nonlocal", vec![("names", names)], span)
            }
            StmtKind::Expr(e) => {
                let value = self.expr(e)?;
                self.node("Expr", vec![("value", value)], span)
            }
            StmtKind::Pass => self.node("Pass", vec![], span),
            StmtKind::Break => self.node("Break", vec![], span),
            StmtKind::Continue => self.node("Continue", vec![], span),
        }
    }

    fn arguments(&mut self, a: &Arguments) -> R {
        let fields = vec![
            ("posonlyargs", self.list(&a.posonlyargs, Self::arg)?),
            ("args", self.list(&a.args, Self::arg)?),
            ("vararg", self.opt(a.vararg.as_ref(), Self::arg)?),
            ("kwonlyargs", self.list(&a.kwonlyargs, Self::arg)?),
            (
                "kw_defaults",
                self.list(&a.kw_defaults, |b, d| b.opt(d.as_ref(), Self::expr))?,
            ),
            ("kwarg", self.opt(a.kwarg.as_ref(), Self::arg)?),
            ("defaults", self.exprs(&a.defaults)?),
        ];
        self.node("arguments", fields, None)
    }

    fn arg(&mut self, a: &Arg) -> R {
        let fields = vec![
            ("arg", self.ident(&a.name)?),
            ("annotation", self.opt(a.annotation.as_ref(), Self::expr)?),
            ("type_comment", Value::None),
        ];
        self.node("arg", fields, Some(a.span))
    }

    fn keyword(&mut self, k: &Keyword) -> R {
        let fields = vec![
            ("arg", self.opt(k.arg.as_ref(), Self::ident)?),
            ("value", self.expr(&k.value)?),
        ];
        self.node("keyword", fields, Some(k.span))
    }

    fn alias(&mut self, a: &Alias) -> R {
        let fields = vec![
            ("name", Value::str(a.name.as_str())),
            ("asname", self.opt(a.asname.as_ref(), Self::ident)?),
        ];
        self.node("alias", fields, Some(a.span))
    }

    fn withitem(&mut self, w: &WithItem) -> R {
        let fields = vec![
            ("context_expr", self.expr(&w.context_expr)?),
            (
                "optional_vars",
                self.opt(w.optional_vars.as_ref(), |b, e| b.expr_ctx(e, Ctx::Store))?,
            ),
        ];
        self.node("withitem", fields, None)
    }

    fn handler(&mut self, h: &ExceptHandler) -> R {
        let fields = vec![
            ("type", self.opt(h.typ.as_ref(), Self::expr)?),
            ("name", self.opt(h.name.as_ref(), Self::ident)?),
            ("body", self.stmts(&h.body)?),
        ];
        self.node("ExceptHandler", fields, Some(h.span))
    }

    fn match_case(&mut self, c: &MatchCase) -> R {
        let fields = vec![
            ("pattern", self.pattern(&c.pattern)?),
            ("guard", self.opt(c.guard.as_ref(), Self::expr)?),
            ("body", self.stmts(&c.body)?),
        ];
        self.node("match_case", fields, None)
    }

    fn pattern(&mut self, p: &Pattern) -> R {
        let span = Some(p.span);
        match &p.kind {
            PatternKind::MatchValue(e) => {
                let value = self.expr(e)?;
                self.node("MatchValue", vec![("value", value)], span)
            }
            PatternKind::MatchSingleton(c) => {
                let value = self.constant_value(c);
                self.node("MatchSingleton", vec![("value", value)], span)
            }
            PatternKind::MatchSequence(ps) => {
                let patterns = self.list(ps, Self::pattern)?;
                self.node("MatchSequence", vec![("patterns", patterns)], span)
            }
            PatternKind::MatchMapping {
                keys,
                patterns,
                rest,
            } => {
                let fields = vec![
                    ("keys", self.exprs(keys)?),
                    ("patterns", self.list(patterns, Self::pattern)?),
                    ("rest", self.opt(rest.as_ref(), Self::ident)?),
                ];
                self.node("MatchMapping", fields, span)
            }
            PatternKind::MatchClass {
                cls,
                patterns,
                kwd_attrs,
                kwd_patterns,
            } => {
                let fields = vec![
                    ("cls", self.expr(cls)?),
                    ("patterns", self.list(patterns, Self::pattern)?),
                    ("kwd_attrs", self.idents(kwd_attrs)?),
                    ("kwd_patterns", self.list(kwd_patterns, Self::pattern)?),
                ];
                self.node("MatchClass", fields, span)
            }
            PatternKind::MatchStar(name) => {
                let name = self.opt(name.as_ref(), Self::ident)?;
                self.node("MatchStar", vec![("name", name)], span)
            }
            PatternKind::MatchAs { pattern, name } => {
                let fields = vec![
                    ("pattern", self.opt(pattern.as_deref(), Self::pattern)?),
                    ("name", self.opt(name.as_ref(), Self::ident)?),
                ];
                self.node("MatchAs", fields, span)
            }
            PatternKind::MatchOr(ps) => {
                let patterns = self.list(ps, Self::pattern)?;
                self.node("MatchOr", vec![("patterns", patterns)], span)
            }
        }
    }

    fn comprehension(&mut self, c: &Comprehension) -> R {
        let fields = vec![
            ("target", self.expr_ctx(&c.target, Ctx::Store)?),
            ("iter", self.expr(&c.iter)?),
            ("ifs", self.exprs(&c.ifs)?),
            ("is_async", Value::Int(c.is_async as i64)),
        ];
        self.node("comprehension", fields, None)
    }

    fn comprehensions(&mut self, gens: &[Comprehension]) -> R {
        self.list(gens, Self::comprehension)
    }

    fn ctx(&mut self, ctx: Ctx) -> R {
        self.singleton(match ctx {
            Ctx::Load => "Load",
            Ctx::Store => "Store",
            Ctx::Del => "Del",
        })
    }

    fn expr(&mut self, e: &Expr) -> R {
        self.expr_ctx(e, Ctx::Load)
    }

    /// Expression `e` in context `ctx` (which names, attributes, subscripts, starred items,
    /// lists and tuples record; the elements of a target list or tuple share it).
    fn expr_ctx(&mut self, e: &Expr, ctx: Ctx) -> R {
        let span = Some(e.span);
        match &e.kind {
            ExprKind::BoolOp { op, values } => {
                let op = self.singleton(match op {
                    BoolOp::And => "And",
                    BoolOp::Or => "Or",
                })?;
                let values = self.exprs(values)?;
                self.node("BoolOp", vec![("op", op), ("values", values)], span)
            }
            ExprKind::NamedExpr { target, value } => {
                let fields = vec![
                    ("target", self.expr_ctx(target, Ctx::Store)?),
                    ("value", self.expr(value)?),
                ];
                self.node("NamedExpr", fields, span)
            }
            ExprKind::BinOp { left, op, right } => {
                let fields = vec![
                    ("left", self.expr(left)?),
                    ("op", self.binop(*op)?),
                    ("right", self.expr(right)?),
                ];
                self.node("BinOp", fields, span)
            }
            ExprKind::UnaryOp { op, operand } => {
                let op = self.singleton(match op {
                    UnaryOp::Invert => "Invert",
                    UnaryOp::Not => "Not",
                    UnaryOp::UAdd => "UAdd",
                    UnaryOp::USub => "USub",
                })?;
                let operand = self.expr(operand)?;
                self.node("UnaryOp", vec![("op", op), ("operand", operand)], span)
            }
            ExprKind::Lambda { args, body } => {
                let fields = vec![("args", self.arguments(args)?), ("body", self.expr(body)?)];
                self.node("Lambda", fields, span)
            }
            ExprKind::IfExp { test, body, orelse } => {
                let fields = vec![
                    ("test", self.expr(test)?),
                    ("body", self.expr(body)?),
                    ("orelse", self.expr(orelse)?),
                ];
                self.node("IfExp", fields, span)
            }
            ExprKind::Dict { keys, values } => {
                let fields = vec![
                    (
                        "keys",
                        self.list(keys, |b, k| b.opt(k.as_ref(), Self::expr))?,
                    ),
                    ("values", self.exprs(values)?),
                ];
                self.node("Dict", fields, span)
            }
            ExprKind::Set(elts) => {
                let elts = self.exprs(elts)?;
                self.node("Set", vec![("elts", elts)], span)
            }
            ExprKind::ListComp { elt, generators } => {
                let fields = vec![
                    ("elt", self.expr(elt)?),
                    ("generators", self.comprehensions(generators)?),
                ];
                self.node("ListComp", fields, span)
            }
            ExprKind::SetComp { elt, generators } => {
                let fields = vec![
                    ("elt", self.expr(elt)?),
                    ("generators", self.comprehensions(generators)?),
                ];
                self.node("SetComp", fields, span)
            }
            ExprKind::DictComp {
                key,
                value,
                generators,
            } => {
                let fields = vec![
                    ("key", self.expr(key)?),
                    ("value", self.expr(value)?),
                    ("generators", self.comprehensions(generators)?),
                ];
                self.node("DictComp", fields, span)
            }
            ExprKind::GeneratorExp { elt, generators } => {
                let fields = vec![
                    ("elt", self.expr(elt)?),
                    ("generators", self.comprehensions(generators)?),
                ];
                self.node("GeneratorExp", fields, span)
            }
            ExprKind::Await(v) => {
                let value = self.expr(v)?;
                self.node("Await", vec![("value", value)], span)
            }
            ExprKind::Yield(v) => {
                let value = self.opt(v.as_deref(), Self::expr)?;
                self.node("Yield", vec![("value", value)], span)
            }
            ExprKind::YieldFrom(v) => {
                let value = self.expr(v)?;
                self.node("YieldFrom", vec![("value", value)], span)
            }
            ExprKind::Compare {
                left,
                ops,
                comparators,
            } => {
                let fields = vec![
                    ("left", self.expr(left)?),
                    ("ops", self.list(ops, |b, op| b.cmpop(*op))?),
                    ("comparators", self.exprs(comparators)?),
                ];
                self.node("Compare", fields, span)
            }
            ExprKind::Call {
                func,
                args,
                keywords,
            } => {
                let fields = vec![
                    ("func", self.expr(func)?),
                    ("args", self.exprs(args)?),
                    ("keywords", self.list(keywords, Self::keyword)?),
                ];
                self.node("Call", fields, span)
            }
            ExprKind::JoinedStr(parts) => self.joined_str(parts, e.span),
            ExprKind::Constant(c) => {
                let value = self.constant_value(c);
                self.node(
                    "Constant",
                    vec![("value", value), ("kind", Value::None)],
                    span,
                )
            }
            ExprKind::Attribute { value, attr } => {
                let fields = vec![
                    ("value", self.expr(value)?),
                    ("attr", self.ident(attr)?),
                    ("ctx", self.ctx(ctx)?),
                ];
                self.node("Attribute", fields, span)
            }
            ExprKind::Subscript { value, slice } => {
                let fields = vec![
                    ("value", self.expr(value)?),
                    ("slice", self.expr(slice)?),
                    ("ctx", self.ctx(ctx)?),
                ];
                self.node("Subscript", fields, span)
            }
            ExprKind::Starred(v) => {
                let fields = vec![("value", self.expr_ctx(v, ctx)?), ("ctx", self.ctx(ctx)?)];
                self.node("Starred", fields, span)
            }
            ExprKind::Name(id) => {
                let fields = vec![("id", Value::str(id.as_str())), ("ctx", self.ctx(ctx)?)];
                self.node("Name", fields, span)
            }
            ExprKind::List(elts) => {
                let fields = vec![("elts", self.targets(elts, ctx)?), ("ctx", self.ctx(ctx)?)];
                self.node("List", fields, span)
            }
            ExprKind::Tuple(elts) => {
                let fields = vec![("elts", self.targets(elts, ctx)?), ("ctx", self.ctx(ctx)?)];
                self.node("Tuple", fields, span)
            }
            ExprKind::Slice { lower, upper, step } => {
                let fields = vec![
                    ("lower", self.opt(lower.as_deref(), Self::expr)?),
                    ("upper", self.opt(upper.as_deref(), Self::expr)?),
                    ("step", self.opt(step.as_deref(), Self::expr)?),
                ];
                self.node("Slice", fields, span)
            }
        }
    }

    /// `JoinedStr(values)`: literal pieces become `Constant`s and fields `FormattedValue`s,
    /// all at the string's own position (`span`), as CPython 3.11 places them.
    fn joined_str(&mut self, parts: &[FStringElement], span: Span) -> R {
        let mut values = Vec::with_capacity(parts.len());
        for part in parts {
            values.push(match part {
                FStringElement::Literal(s) => self.node(
                    "Constant",
                    vec![("value", Value::str(s.as_str())), ("kind", Value::None)],
                    Some(span),
                )?,
                FStringElement::Formatted {
                    value,
                    conversion,
                    format_spec,
                } => {
                    let fields = vec![
                        ("value", self.expr(value)?),
                        (
                            "conversion",
                            Value::Int(conversion.map_or(-1, |c| c as i64)),
                        ),
                        (
                            "format_spec",
                            match format_spec {
                                Some(spec) => self.joined_str(spec, span)?,
                                None => Value::None,
                            },
                        ),
                    ];
                    self.node("FormattedValue", fields, Some(span))?
                }
            });
        }
        let values = self.vm.new_list(values);
        self.node("JoinedStr", vec![("values", values)], Some(span))
    }

    fn constant_value(&mut self, c: &Constant) -> Value {
        let types = &self.vm.types;
        match c {
            Constant::None => Value::None,
            Constant::Bool(b) => Value::bool(*b),
            Constant::Int(IntValue::Small(i)) => Value::Int(*i),
            Constant::Int(IntValue::Big(b)) => super::bigint_value(types, b.clone()),
            Constant::Float(f) => Value::float(*f),
            Constant::Complex(im) => super::complex_const(types, 0.0, *im),
            Constant::Str(s) => Value::str(s.as_str()),
            Constant::Bytes(b) => super::bytes_const(types, b.clone()),
            Constant::Ellipsis => self.vm.ellipsis.clone(),
        }
    }

    fn binop(&mut self, op: BinOp) -> R {
        self.singleton(match op {
            BinOp::Add => "Add",
            BinOp::Sub => "Sub",
            BinOp::Mult => "Mult",
            BinOp::MatMult => "MatMult",
            BinOp::Div => "Div",
            BinOp::Mod => "Mod",
            BinOp::Pow => "Pow",
            BinOp::LShift => "LShift",
            BinOp::RShift => "RShift",
            BinOp::BitOr => "BitOr",
            BinOp::BitXor => "BitXor",
            BinOp::BitAnd => "BitAnd",
            BinOp::FloorDiv => "FloorDiv",
        })
    }

    fn cmpop(&mut self, op: CmpOp) -> R {
        self.singleton(match op {
            CmpOp::Eq => "Eq",
            CmpOp::NotEq => "NotEq",
            CmpOp::Lt => "Lt",
            CmpOp::LtE => "LtE",
            CmpOp::Gt => "Gt",
            CmpOp::GtE => "GtE",
            CmpOp::Is => "Is",
            CmpOp::IsNot => "IsNot",
            CmpOp::In => "In",
            CmpOp::NotIn => "NotIn",
        })
    }
}

/// Whether `v` is an instance of the `_ast` module's `AST` class (once `_ast` is loaded):
/// `compile` turns such a tree back into code.
pub(super) fn is_ast_node(vm: &mut Vm, v: &Value) -> bool {
    let key = vm.intern("_ast");
    let Some(Value::Obj(m)) = vm.dict_get_str(&vm.modules.clone(), &key) else {
        return false;
    };
    let Some(g) = vm.module_globals(&m) else {
        return false;
    };
    let key = vm.intern("AST");
    let Some(Value::Obj(ast)) = vm.dict_get_str(&g, &key) else {
        return false;
    };
    crate::types::is_subtype(vm.class_of(v), &ast)
}
