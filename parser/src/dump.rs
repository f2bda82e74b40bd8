//! A readable, indented rendering of the syntax tree with `line:column` ranges, for
//! `aio --ast` and the parser's snapshot tests.
//!
//! ```text
//! Assign 1:0-1:9
//!   targets:
//!     Name x 1:0-1:1
//!   value:
//!     BinOp + 1:4-1:9
//! ```

use crate::ast::*;
use aio_lexer::{LineIndex, Span};
use std::fmt::Write;

/// Renders `module` (parsed from `source`) one node per line.
pub fn dump_module(module: &Module, source: &str) -> String {
    let mut d = Dumper {
        out: String::new(),
        source,
        index: LineIndex::new(source),
        indent: 0,
    };
    d.line("Module", None);
    d.indent += 1;
    d.stmts(&module.body);
    d.out
}

struct Dumper<'s> {
    out: String,
    source: &'s str,
    index: LineIndex,
    indent: usize,
}

impl Dumper<'_> {
    fn line(&mut self, text: &str, span: Option<Span>) {
        for _ in 0..self.indent {
            self.out.push_str("  ");
        }
        self.out.push_str(text);
        if let Some(span) = span {
            let a = self.index.position(self.source, span.start);
            let b = self.index.position(self.source, span.end);
            let _ = write!(self.out, " {}:{}-{}:{}", a.line, a.column, b.line, b.column);
        }
        self.out.push('\n');
    }

    fn nested(&mut self, label: &str, f: impl FnOnce(&mut Self)) {
        self.line(&format!("{label}:"), None);
        self.indent += 1;
        f(self);
        self.indent -= 1;
    }

    fn stmts(&mut self, body: &[Stmt]) {
        for s in body {
            self.stmt(s);
        }
    }

    fn block(&mut self, label: &str, body: &[Stmt]) {
        if !body.is_empty() {
            self.nested(label, |d| d.stmts(body));
        }
    }

    fn expr_field(&mut self, label: &str, e: &Expr) {
        self.nested(label, |d| d.expr(e));
    }

    fn opt_expr(&mut self, label: &str, e: Option<&Expr>) {
        if let Some(e) = e {
            self.expr_field(label, e);
        }
    }

    fn exprs(&mut self, label: &str, es: &[Expr]) {
        if !es.is_empty() {
            self.nested(label, |d| es.iter().for_each(|e| d.expr(e)));
        }
    }

    fn ident(&mut self, label: &str, id: &Ident) {
        self.line(&format!("{label}: {}", id.name), Some(id.span));
    }

    fn stmt(&mut self, s: &Stmt) {
        let span = Some(s.span);
        match &s.kind {
            StmtKind::FunctionDef(f) => {
                let kw = if f.is_async {
                    "AsyncFunctionDef"
                } else {
                    "FunctionDef"
                };
                self.line(&format!("{kw} {}", f.name.name), span);
                self.indent += 1;
                self.exprs("decorators", &f.decorators);
                self.arguments(&f.args);
                self.opt_expr("returns", f.returns.as_ref());
                self.block("body", &f.body);
                self.indent -= 1;
            }
            StmtKind::ClassDef(c) => {
                self.line(&format!("ClassDef {}", c.name.name), span);
                self.indent += 1;
                self.exprs("decorators", &c.decorators);
                self.exprs("bases", &c.bases);
                self.keywords(&c.keywords);
                self.block("body", &c.body);
                self.indent -= 1;
            }
            StmtKind::Return(v) => self.with("Return", span, |d| d.opt_expr("value", v.as_ref())),
            StmtKind::Delete(ts) => self.with("Delete", span, |d| d.exprs("targets", ts)),
            StmtKind::Assign { targets, value } => self.with("Assign", span, |d| {
                d.exprs("targets", targets);
                d.expr_field("value", value);
            }),
            StmtKind::AugAssign { target, op, value } => {
                self.with(&format!("AugAssign {}=", op.symbol()), span, |d| {
                    d.expr_field("target", target);
                    d.expr_field("value", value);
                })
            }
            StmtKind::AnnAssign {
                target,
                annotation,
                value,
                simple,
            } => {
                let title = if *simple {
                    "AnnAssign simple"
                } else {
                    "AnnAssign"
                };
                self.with(title, span, |d| {
                    d.expr_field("target", target);
                    d.expr_field("annotation", annotation);
                    d.opt_expr("value", value.as_ref());
                })
            }
            StmtKind::For {
                is_async,
                target,
                iter,
                body,
                orelse,
            } => self.with(if *is_async { "AsyncFor" } else { "For" }, span, |d| {
                d.expr_field("target", target);
                d.expr_field("iter", iter);
                d.block("body", body);
                d.block("orelse", orelse);
            }),
            StmtKind::While { test, body, orelse } => self.with("While", span, |d| {
                d.expr_field("test", test);
                d.block("body", body);
                d.block("orelse", orelse);
            }),
            StmtKind::If { test, body, orelse } => self.with("If", span, |d| {
                d.expr_field("test", test);
                d.block("body", body);
                d.block("orelse", orelse);
            }),
            StmtKind::With {
                is_async,
                items,
                body,
            } => self.with(if *is_async { "AsyncWith" } else { "With" }, span, |d| {
                for item in items {
                    d.nested("item", |d| {
                        d.expr(&item.context_expr);
                        d.opt_expr("as", item.optional_vars.as_ref());
                    });
                }
                d.block("body", body);
            }),
            StmtKind::Match { subject, cases } => self.with("Match", span, |d| {
                d.expr_field("subject", subject);
                for case in cases {
                    d.nested("case", |d| {
                        d.pattern(&case.pattern);
                        d.opt_expr("guard", case.guard.as_ref());
                        d.block("body", &case.body);
                    });
                }
            }),
            StmtKind::Raise { exc, cause } => self.with("Raise", span, |d| {
                d.opt_expr("exc", exc.as_ref());
                d.opt_expr("cause", cause.as_ref());
            }),
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
                is_star,
            } => self.with(if *is_star { "TryStar" } else { "Try" }, span, |d| {
                d.block("body", body);
                for h in handlers {
                    d.line("ExceptHandler", Some(h.span));
                    d.indent += 1;
                    d.opt_expr("type", h.typ.as_ref());
                    if let Some(name) = &h.name {
                        d.ident("name", name);
                    }
                    d.block("body", &h.body);
                    d.indent -= 1;
                }
                d.block("orelse", orelse);
                d.block("finalbody", finalbody);
            }),
            StmtKind::Assert { test, msg } => self.with("Assert", span, |d| {
                d.expr_field("test", test);
                d.opt_expr("msg", msg.as_ref());
            }),
            StmtKind::Import(names) => self.with("Import", span, |d| d.aliases(names)),
            StmtKind::ImportFrom {
                module,
                names,
                level,
            } => {
                let title = format!(
                    "ImportFrom {}{}",
                    ".".repeat(*level as usize),
                    module.as_deref().unwrap_or("")
                );
                self.with(&title, span, |d| d.aliases(names))
            }
            StmtKind::Global(names) => self.names("Global", names, span),
            StmtKind::Nonlocal(names) => self.names("Nonlocal", names, span),
            StmtKind::Expr(e) => self.with("Expr", span, |d| d.expr(e)),
            StmtKind::Pass => self.line("Pass", span),
            StmtKind::Break => self.line("Break", span),
            StmtKind::Continue => self.line("Continue", span),
        }
    }

    fn with(&mut self, title: &str, span: Option<Span>, f: impl FnOnce(&mut Self)) {
        self.line(title, span);
        self.indent += 1;
        f(self);
        self.indent -= 1;
    }

    fn names(&mut self, title: &str, names: &[Ident], span: Option<Span>) {
        let list: Vec<&str> = names.iter().map(|n| n.name.as_str()).collect();
        self.line(&format!("{title} {}", list.join(", ")), span);
    }

    fn aliases(&mut self, names: &[Alias]) {
        for a in names {
            match &a.asname {
                Some(asname) => self.line(
                    &format!("alias {} as {}", a.name, asname.name),
                    Some(a.span),
                ),
                None => self.line(&format!("alias {}", a.name), Some(a.span)),
            }
        }
    }

    fn keywords(&mut self, keywords: &[Keyword]) {
        for k in keywords {
            let title = match &k.arg {
                Some(name) => format!("keyword {}", name.name),
                None => "keyword **".to_string(),
            };
            self.with(&title, Some(k.span), |d| d.expr(&k.value));
        }
    }

    fn arg(&mut self, label: &str, a: &Arg) {
        self.line(&format!("{label} {}", a.name.name), Some(a.span));
        if let Some(ann) = &a.annotation {
            self.indent += 1;
            self.expr_field("annotation", ann);
            self.indent -= 1;
        }
    }

    fn arguments(&mut self, a: &Arguments) {
        let empty = a.posonlyargs.is_empty()
            && a.args.is_empty()
            && a.vararg.is_none()
            && a.kwonlyargs.is_empty()
            && a.kwarg.is_none();
        if empty {
            return;
        }
        self.nested("arguments", |d| {
            a.posonlyargs.iter().for_each(|p| d.arg("posonly", p));
            a.args.iter().for_each(|p| d.arg("arg", p));
            if let Some(v) = &a.vararg {
                d.arg("vararg", v);
            }
            a.kwonlyargs.iter().for_each(|p| d.arg("kwonly", p));
            if let Some(k) = &a.kwarg {
                d.arg("kwarg", k);
            }
            d.exprs("defaults", &a.defaults);
            if a.kw_defaults.iter().any(Option::is_some) {
                d.nested("kw_defaults", |d| {
                    for kd in &a.kw_defaults {
                        match kd {
                            Some(e) => d.expr(e),
                            None => d.line("-", None),
                        }
                    }
                });
            }
        });
    }

    fn comprehensions(&mut self, generators: &[Comprehension]) {
        for g in generators {
            self.nested(if g.is_async { "async for" } else { "for" }, |d| {
                d.expr(&g.target);
                d.expr_field("in", &g.iter);
                d.exprs("if", &g.ifs);
            });
        }
    }

    fn fstring(&mut self, elements: &[FStringElement]) {
        for element in elements {
            match element {
                FStringElement::Literal(s) => self.line(&format!("Literal {s:?}"), None),
                FStringElement::Formatted {
                    value,
                    conversion,
                    format_spec,
                } => {
                    let conv = conversion.map(|c| format!(" !{c}")).unwrap_or_default();
                    self.with(&format!("FormattedValue{conv}"), None, |d| {
                        d.expr(value);
                        if let Some(spec) = format_spec {
                            d.nested("format_spec", |d| d.fstring(spec));
                        }
                    });
                }
            }
        }
    }

    fn expr(&mut self, e: &Expr) {
        let span = Some(e.span);
        match &e.kind {
            ExprKind::BoolOp { op, values } => {
                let name = match op {
                    BoolOp::And => "BoolOp and",
                    BoolOp::Or => "BoolOp or",
                };
                self.with(name, span, |d| values.iter().for_each(|v| d.expr(v)))
            }
            ExprKind::NamedExpr { target, value } => self.with("NamedExpr", span, |d| {
                d.expr(target);
                d.expr(value);
            }),
            ExprKind::BinOp { left, op, right } => {
                self.with(&format!("BinOp {}", op.symbol()), span, |d| {
                    d.expr(left);
                    d.expr(right);
                })
            }
            ExprKind::UnaryOp { op, operand } => {
                let sym = match op {
                    UnaryOp::Invert => "~",
                    UnaryOp::Not => "not",
                    UnaryOp::UAdd => "+",
                    UnaryOp::USub => "-",
                };
                self.with(&format!("UnaryOp {sym}"), span, |d| d.expr(operand))
            }
            ExprKind::Lambda { args, body } => self.with("Lambda", span, |d| {
                d.arguments(args);
                d.expr_field("body", body);
            }),
            ExprKind::IfExp { test, body, orelse } => self.with("IfExp", span, |d| {
                d.expr_field("test", test);
                d.expr_field("body", body);
                d.expr_field("orelse", orelse);
            }),
            ExprKind::Dict { keys, values } => self.with("Dict", span, |d| {
                for (k, v) in keys.iter().zip(values) {
                    match k {
                        Some(k) => d.nested("item", |d| {
                            d.expr(k);
                            d.expr(v);
                        }),
                        None => d.nested("**", |d| d.expr(v)),
                    }
                }
            }),
            ExprKind::Set(elts) => self.with("Set", span, |d| elts.iter().for_each(|x| d.expr(x))),
            ExprKind::List(elts) => {
                self.with("List", span, |d| elts.iter().for_each(|x| d.expr(x)))
            }
            ExprKind::Tuple(elts) => {
                self.with("Tuple", span, |d| elts.iter().for_each(|x| d.expr(x)))
            }
            ExprKind::ListComp { elt, generators } => self.with("ListComp", span, |d| {
                d.expr(elt);
                d.comprehensions(generators);
            }),
            ExprKind::SetComp { elt, generators } => self.with("SetComp", span, |d| {
                d.expr(elt);
                d.comprehensions(generators);
            }),
            ExprKind::GeneratorExp { elt, generators } => self.with("GeneratorExp", span, |d| {
                d.expr(elt);
                d.comprehensions(generators);
            }),
            ExprKind::DictComp {
                key,
                value,
                generators,
            } => self.with("DictComp", span, |d| {
                d.expr(key);
                d.expr(value);
                d.comprehensions(generators);
            }),
            ExprKind::Await(v) => self.with("Await", span, |d| d.expr(v)),
            ExprKind::Yield(v) => self.with("Yield", span, |d| {
                if let Some(v) = v {
                    d.expr(v);
                }
            }),
            ExprKind::YieldFrom(v) => self.with("YieldFrom", span, |d| d.expr(v)),
            ExprKind::Compare {
                left,
                ops,
                comparators,
            } => {
                let ops: Vec<&str> = ops.iter().map(|o| o.symbol()).collect();
                self.with(&format!("Compare {}", ops.join(" ")), span, |d| {
                    d.expr(left);
                    comparators.iter().for_each(|c| d.expr(c));
                })
            }
            ExprKind::Call {
                func,
                args,
                keywords,
            } => self.with("Call", span, |d| {
                d.expr(func);
                d.exprs("args", args);
                d.keywords(keywords);
            }),
            ExprKind::JoinedStr(elements) => self.with("JoinedStr", span, |d| d.fstring(elements)),
            ExprKind::Constant(c) => {
                let text = match c {
                    Constant::None => "None".to_string(),
                    Constant::Bool(b) => if *b { "True" } else { "False" }.to_string(),
                    Constant::Int(i) => format!("Int {i}"),
                    Constant::Float(f) => format!("Float {f:?}"),
                    Constant::Complex(f) => format!("Complex {f:?}j"),
                    Constant::Str(s) => format!("Str {s:?}"),
                    Constant::Bytes(b) => format!("Bytes {:?}", String::from_utf8_lossy(b)),
                    Constant::Ellipsis => "Ellipsis".to_string(),
                };
                self.line(&format!("Constant {text}"), span)
            }
            ExprKind::Attribute { value, attr } => {
                self.with(&format!("Attribute .{}", attr.name), span, |d| {
                    d.expr(value)
                })
            }
            ExprKind::Subscript { value, slice } => self.with("Subscript", span, |d| {
                d.expr(value);
                d.expr_field("slice", slice);
            }),
            ExprKind::Starred(v) => self.with("Starred", span, |d| d.expr(v)),
            ExprKind::Name(n) => self.line(&format!("Name {n}"), span),
            ExprKind::Slice { lower, upper, step } => self.with("Slice", span, |d| {
                d.opt_expr("lower", lower.as_deref());
                d.opt_expr("upper", upper.as_deref());
                d.opt_expr("step", step.as_deref());
            }),
        }
    }

    fn pattern(&mut self, p: &Pattern) {
        let span = Some(p.span);
        match &p.kind {
            PatternKind::MatchValue(e) => self.with("MatchValue", span, |d| d.expr(e)),
            PatternKind::MatchSingleton(c) => {
                let text = match c {
                    Constant::None => "None",
                    Constant::Bool(true) => "True",
                    _ => "False",
                };
                self.line(&format!("MatchSingleton {text}"), span)
            }
            PatternKind::MatchSequence(ps) => self.with("MatchSequence", span, |d| {
                ps.iter().for_each(|p| d.pattern(p))
            }),
            PatternKind::MatchMapping {
                keys,
                patterns,
                rest,
            } => self.with("MatchMapping", span, |d| {
                for (k, p) in keys.iter().zip(patterns) {
                    d.nested("item", |d| {
                        d.expr(k);
                        d.pattern(p);
                    });
                }
                if let Some(rest) = rest {
                    d.ident("rest", rest);
                }
            }),
            PatternKind::MatchClass {
                cls,
                patterns,
                kwd_attrs,
                kwd_patterns,
            } => self.with("MatchClass", span, |d| {
                d.expr(cls);
                patterns.iter().for_each(|p| d.pattern(p));
                for (name, p) in kwd_attrs.iter().zip(kwd_patterns) {
                    d.nested(&format!("{}=", name.name), |d| d.pattern(p));
                }
            }),
            PatternKind::MatchStar(name) => self.line(
                &format!(
                    "MatchStar {}",
                    name.as_ref().map_or("_", |n| n.name.as_str())
                ),
                span,
            ),
            PatternKind::MatchAs { pattern, name } => {
                let n = name.as_ref().map_or("_", |n| n.name.as_str());
                self.with(&format!("MatchAs {n}"), span, |d| {
                    if let Some(p) = pattern {
                        d.pattern(p);
                    }
                })
            }
            PatternKind::MatchOr(ps) => {
                self.with("MatchOr", span, |d| ps.iter().for_each(|p| d.pattern(p)))
            }
        }
    }
}
