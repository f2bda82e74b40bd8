//! Every `fixtures/valid/X.aio` must parse to the tree CPython 3.11 gives for it: the tree is
//! rendered in the `.pyast` format of `tests/tools/gen_parser_expectations.py` (see its
//! docstring) and compared with `X.pyast`, which that script wrote from `ast.parse`.
//!
//! aio's tree stores no load/store/delete context; the renderer derives it from where an
//! expression stands, as CPython's parser sets it.

mod common;

use aio_lexer::LineIndex;
use aio_parser::ast::*;
use std::fmt::Write as _;
use std::fs;

// ------------------------------------------------------------------------- Python reprs

/// Python's `repr(str)`: quotes, escapes and `str.isprintable` as CPython 3.11 applies them.
fn str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if c < ' ' || c == '\x7f' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if c.is_ascii() || aio_lexer::printable::is_printable(c) => out.push(c),
            c if (c as u32) <= 0xff => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if (c as u32) <= 0xffff => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
    out.push(quote);
    out
}

/// Python's `repr(bytes)`.
fn bytes_repr(b: &[u8]) -> String {
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') {
        b'"'
    } else {
        b'\''
    };
    let mut out = String::with_capacity(b.len() + 3);
    out.push('b');
    out.push(quote as char);
    for &c in b {
        match c {
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c as char);
            }
            b' '..=b'~' => out.push(c as char),
            c => {
                let _ = write!(out, "\\x{c:02x}");
            }
        }
    }
    out.push(quote as char);
    out
}

/// Python's `repr(float)`: the shortest digits that round-trip, in fixed notation unless the
/// decimal exponent is below -4 or above 15 (`1e-05`, `1e+16`).
fn float_repr(x: f64) -> String {
    format_r(x, true)
}

/// Python's `repr(complex)` of a literal `xj` (real part `+0.0`): `3j`, `1.5j`, `infj`.
fn imaginary_repr(imag: f64) -> String {
    format!("{}j", format_r(imag, false))
}

/// `PyOS_double_to_string(x, 'r', 0, flags)`; `add_dot_0` is `Py_DTSF_ADD_DOT_0`.
fn format_r(x: f64, add_dot_0: bool) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    let sign = if x.is_sign_negative() { "-" } else { "" };
    if x.is_infinite() {
        return format!("{sign}inf");
    }
    if x == 0.0 {
        return format!("{sign}0{}", if add_dot_0 { ".0" } else { "" });
    }
    // Rust's `{:e}` gives the shortest round-trip digits: `1.2345e-5`.
    let sci = format!("{:e}", x.abs());
    let (mantissa, exp) = sci.split_once('e').expect("`{:e}` has an exponent");
    let exp: i32 = exp.parse().expect("`{:e}` exponent is an integer");
    let digits: String = mantissa.chars().filter(|&c| c != '.').collect();
    let n = digits.len() as i32;
    let decpt = exp + 1; // the value is 0.DIGITS * 10**decpt
    let body = if !(-4 < decpt && decpt <= 16) {
        let (first, rest) = digits.split_at(1);
        let dot = if rest.is_empty() { "" } else { "." };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{first}{dot}{rest}e{esign}{:02}", exp.abs())
    } else if decpt <= 0 {
        format!("0.{}{digits}", "0".repeat((-decpt) as usize))
    } else if decpt >= n {
        let zeros = "0".repeat((decpt - n) as usize);
        format!("{digits}{zeros}{}", if add_dot_0 { ".0" } else { "" })
    } else {
        let (int, frac) = digits.split_at(decpt as usize);
        format!("{int}.{frac}")
    };
    format!("{sign}{body}")
}

// ------------------------------------------------------------------------- the renderer

/// An expression context, as CPython's `ctx` field.
#[derive(Clone, Copy, Debug)]
enum Ctx {
    Load,
    Store,
    Del,
}

/// Renders a tree in the `.pyast` format, one line per node or value.
struct Renderer {
    out: String,
    index: LineIndex,
    /// Inside a `JoinedStr`, where nodes are printed without positions.
    in_fstring: bool,
}

/// Renders `module`, parsed from `source`, as `gen_parser_expectations.py` renders CPython's.
fn render(module: &Module, source: &str) -> String {
    let mut r = Renderer {
        out: String::new(),
        index: LineIndex::new(source),
        in_fstring: false,
    };
    r.line(0, "Module");
    r.list(1, "body", &module.body, Renderer::stmt);
    r.line(1, "type_ignores: []");
    r.out
}

impl Renderer {
    fn line(&mut self, depth: usize, text: &str) {
        for _ in 0..depth {
            self.out.push_str("  ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    /// A node's class line, with ` @L:C-EL:EC` (columns in bytes) outside f-strings.
    fn node(&mut self, depth: usize, class: &str, span: Span) {
        if self.in_fstring {
            self.line(depth, class);
            return;
        }
        let (l, c) = self.position(span.start);
        let (el, ec) = self.position(span.end);
        self.line(depth, &format!("{class} @{l}:{c}-{el}:{ec}"));
    }

    fn position(&self, offset: u32) -> (u32, u32) {
        let line = self.index.line(offset);
        (line, offset - self.index.line_start(line))
    }

    /// `name: VALUE` for a scalar field.
    fn scalar(&mut self, depth: usize, name: &str, value: impl std::fmt::Display) {
        self.line(depth, &format!("{name}: {value}"));
    }

    /// A field holding one node: `name:` and the node below it.
    fn field<T: ?Sized>(
        &mut self,
        depth: usize,
        name: &str,
        value: &T,
        f: impl Fn(&mut Self, &T, usize),
    ) {
        self.line(depth, &format!("{name}:"));
        f(self, value, depth + 1);
    }

    /// A field holding a node or `None`.
    fn opt<T>(
        &mut self,
        depth: usize,
        name: &str,
        value: Option<&T>,
        f: impl Fn(&mut Self, &T, usize),
    ) {
        match value {
            Some(v) => self.field(depth, name, v, f),
            None => self.scalar(depth, name, "None"),
        }
    }

    /// A list field: `name: []`, or `name:` and the elements below it.
    fn list<T>(&mut self, depth: usize, name: &str, items: &[T], f: impl Fn(&mut Self, &T, usize)) {
        if items.is_empty() {
            self.scalar(depth, name, "[]");
            return;
        }
        self.line(depth, &format!("{name}:"));
        for item in items {
            f(self, item, depth + 1);
        }
    }

    /// A list of scalar values, one per line.
    fn scalars(&mut self, depth: usize, name: &str, items: &[String]) {
        self.list(depth, name, items, |r, s, d| r.line(d, s));
    }

    /// A field holding an expression in load context (`depth` is the field's).
    fn load(&mut self, depth: usize, name: &str, e: &Expr) {
        self.field(depth, name, e, Self::load_expr);
    }

    fn opt_load(&mut self, depth: usize, name: &str, e: Option<&Expr>) {
        self.opt(depth, name, e, Self::load_expr);
    }

    fn loads(&mut self, depth: usize, name: &str, es: &[Expr]) {
        self.list(depth, name, es, Self::load_expr);
    }

    fn store(&mut self, depth: usize, name: &str, e: &Expr) {
        self.field(depth, name, e, |r, e, d| r.expr(e, Ctx::Store, d));
    }

    fn load_expr(&mut self, e: &Expr, depth: usize) {
        self.expr(e, Ctx::Load, depth);
    }

    // --------------------------------------------------------------------- statements

    fn stmt(&mut self, s: &Stmt, depth: usize) {
        let d = depth + 1;
        match &s.kind {
            StmtKind::FunctionDef(f) => {
                let class = if f.is_async {
                    "AsyncFunctionDef"
                } else {
                    "FunctionDef"
                };
                self.node(depth, class, s.span);
                self.scalar(d, "name", str_repr(&f.name.name));
                self.field(d, "args", &f.args, Self::arguments);
                self.list(d, "body", &f.body, Self::stmt);
                self.loads(d, "decorator_list", &f.decorators);
                self.opt_load(d, "returns", f.returns.as_ref());
            }
            StmtKind::ClassDef(c) => {
                self.node(depth, "ClassDef", s.span);
                self.scalar(d, "name", str_repr(&c.name.name));
                self.loads(d, "bases", &c.bases);
                self.list(d, "keywords", &c.keywords, Self::keyword);
                self.list(d, "body", &c.body, Self::stmt);
                self.loads(d, "decorator_list", &c.decorators);
            }
            StmtKind::Return(value) => {
                self.node(depth, "Return", s.span);
                self.opt_load(d, "value", value.as_ref());
            }
            StmtKind::Delete(targets) => {
                self.node(depth, "Delete", s.span);
                self.list(d, "targets", targets, |r, e, d| r.expr(e, Ctx::Del, d));
            }
            StmtKind::Assign { targets, value } => {
                self.node(depth, "Assign", s.span);
                self.list(d, "targets", targets, |r, e, d| r.expr(e, Ctx::Store, d));
                self.load(d, "value", value);
            }
            StmtKind::AugAssign { target, op, value } => {
                self.node(depth, "AugAssign", s.span);
                self.store(d, "target", target);
                self.scalar(d, "op", format!("{op:?}"));
                self.load(d, "value", value);
            }
            StmtKind::AnnAssign {
                target,
                annotation,
                value,
                simple,
            } => {
                self.node(depth, "AnnAssign", s.span);
                self.store(d, "target", target);
                self.load(d, "annotation", annotation);
                self.opt_load(d, "value", value.as_ref());
                self.scalar(d, "simple", u8::from(*simple));
            }
            StmtKind::For {
                is_async,
                target,
                iter,
                body,
                orelse,
            } => {
                self.node(depth, if *is_async { "AsyncFor" } else { "For" }, s.span);
                self.store(d, "target", target);
                self.load(d, "iter", iter);
                self.list(d, "body", body, Self::stmt);
                self.list(d, "orelse", orelse, Self::stmt);
            }
            StmtKind::While { test, body, orelse } | StmtKind::If { test, body, orelse } => {
                let class = if matches!(s.kind, StmtKind::While { .. }) {
                    "While"
                } else {
                    "If"
                };
                self.node(depth, class, s.span);
                self.load(d, "test", test);
                self.list(d, "body", body, Self::stmt);
                self.list(d, "orelse", orelse, Self::stmt);
            }
            StmtKind::With {
                is_async,
                items,
                body,
            } => {
                self.node(depth, if *is_async { "AsyncWith" } else { "With" }, s.span);
                self.list(d, "items", items, Self::withitem);
                self.list(d, "body", body, Self::stmt);
            }
            StmtKind::Match { subject, cases } => {
                self.node(depth, "Match", s.span);
                self.load(d, "subject", subject);
                self.list(d, "cases", cases, Self::match_case);
            }
            StmtKind::Raise { exc, cause } => {
                self.node(depth, "Raise", s.span);
                self.opt_load(d, "exc", exc.as_ref());
                self.opt_load(d, "cause", cause.as_ref());
            }
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
                is_star,
            } => {
                self.node(depth, if *is_star { "TryStar" } else { "Try" }, s.span);
                self.list(d, "body", body, Self::stmt);
                self.list(d, "handlers", handlers, Self::handler);
                self.list(d, "orelse", orelse, Self::stmt);
                self.list(d, "finalbody", finalbody, Self::stmt);
            }
            StmtKind::Assert { test, msg } => {
                self.node(depth, "Assert", s.span);
                self.load(d, "test", test);
                self.opt_load(d, "msg", msg.as_ref());
            }
            StmtKind::Import(names) => {
                self.node(depth, "Import", s.span);
                self.list(d, "names", names, Self::alias);
            }
            StmtKind::ImportFrom {
                module,
                names,
                level,
            } => {
                self.node(depth, "ImportFrom", s.span);
                self.scalar(d, "module", opt_repr(module.as_deref()));
                self.list(d, "names", names, Self::alias);
                self.scalar(d, "level", level);
            }
            StmtKind::Global(names) | StmtKind::Nonlocal(names) => {
                let class = if matches!(s.kind, StmtKind::Global(_)) {
                    "Global"
                } else {
                    "Nonlocal"
                };
                self.node(depth, class, s.span);
                let names: Vec<String> = names.iter().map(|n| str_repr(&n.name)).collect();
                self.scalars(d, "names", &names);
            }
            StmtKind::Expr(value) => {
                self.node(depth, "Expr", s.span);
                self.load(d, "value", value);
            }
            // Nodes without fields print as a bare class name, without a position.
            StmtKind::Pass => self.line(depth, "Pass"),
            StmtKind::Break => self.line(depth, "Break"),
            StmtKind::Continue => self.line(depth, "Continue"),
        }
    }

    fn arguments(&mut self, a: &Arguments, depth: usize) {
        let d = depth + 1;
        self.line(depth, "arguments");
        self.list(d, "posonlyargs", &a.posonlyargs, Self::arg);
        self.list(d, "args", &a.args, Self::arg);
        self.opt(d, "vararg", a.vararg.as_ref(), Self::arg);
        self.list(d, "kwonlyargs", &a.kwonlyargs, Self::arg);
        self.list(d, "kw_defaults", &a.kw_defaults, |r, e, d| match e {
            Some(e) => r.load_expr(e, d),
            None => r.line(d, "None"),
        });
        self.opt(d, "kwarg", a.kwarg.as_ref(), Self::arg);
        self.loads(d, "defaults", &a.defaults);
    }

    fn arg(&mut self, a: &Arg, depth: usize) {
        self.node(depth, "arg", a.span);
        self.scalar(depth + 1, "arg", str_repr(&a.name.name));
        self.opt_load(depth + 1, "annotation", a.annotation.as_ref());
    }

    fn keyword(&mut self, k: &Keyword, depth: usize) {
        self.node(depth, "keyword", k.span);
        let arg = opt_repr(k.arg.as_ref().map(|a| a.name.as_str()));
        self.scalar(depth + 1, "arg", arg);
        self.load(depth + 1, "value", &k.value);
    }

    fn alias(&mut self, a: &Alias, depth: usize) {
        self.node(depth, "alias", a.span);
        self.scalar(depth + 1, "name", str_repr(&a.name));
        let asname = opt_repr(a.asname.as_ref().map(|n| n.name.as_str()));
        self.scalar(depth + 1, "asname", asname);
    }

    fn withitem(&mut self, w: &WithItem, depth: usize) {
        self.line(depth, "withitem");
        self.load(depth + 1, "context_expr", &w.context_expr);
        self.opt(
            depth + 1,
            "optional_vars",
            w.optional_vars.as_ref(),
            |r, e, d| r.expr(e, Ctx::Store, d),
        );
    }

    fn handler(&mut self, h: &ExceptHandler, depth: usize) {
        let d = depth + 1;
        self.node(depth, "ExceptHandler", h.span);
        self.opt_load(d, "type", h.typ.as_ref());
        self.scalar(
            d,
            "name",
            opt_repr(h.name.as_ref().map(|n| n.name.as_str())),
        );
        self.list(d, "body", &h.body, Self::stmt);
    }

    fn match_case(&mut self, c: &MatchCase, depth: usize) {
        let d = depth + 1;
        self.line(depth, "match_case");
        self.field(d, "pattern", &c.pattern, Self::pattern);
        self.opt_load(d, "guard", c.guard.as_ref());
        self.list(d, "body", &c.body, Self::stmt);
    }

    fn pattern(&mut self, p: &Pattern, depth: usize) {
        let d = depth + 1;
        let name = |n: &Option<Ident>| opt_repr(n.as_ref().map(|n| n.name.as_str()));
        match &p.kind {
            PatternKind::MatchValue(value) => {
                self.node(depth, "MatchValue", p.span);
                self.load(d, "value", value);
            }
            PatternKind::MatchSingleton(value) => {
                self.node(depth, "MatchSingleton", p.span);
                self.scalar(d, "value", constant_repr(value));
            }
            PatternKind::MatchSequence(patterns) => {
                self.node(depth, "MatchSequence", p.span);
                self.list(d, "patterns", patterns, Self::pattern);
            }
            PatternKind::MatchMapping {
                keys,
                patterns,
                rest,
            } => {
                self.node(depth, "MatchMapping", p.span);
                self.loads(d, "keys", keys);
                self.list(d, "patterns", patterns, Self::pattern);
                self.scalar(d, "rest", name(rest));
            }
            PatternKind::MatchClass {
                cls,
                patterns,
                kwd_attrs,
                kwd_patterns,
            } => {
                self.node(depth, "MatchClass", p.span);
                self.load(d, "cls", cls);
                self.list(d, "patterns", patterns, Self::pattern);
                let attrs: Vec<String> = kwd_attrs.iter().map(|a| str_repr(&a.name)).collect();
                self.scalars(d, "kwd_attrs", &attrs);
                self.list(d, "kwd_patterns", kwd_patterns, Self::pattern);
            }
            PatternKind::MatchStar(n) => {
                self.node(depth, "MatchStar", p.span);
                self.scalar(d, "name", name(n));
            }
            PatternKind::MatchAs { pattern, name: n } => {
                self.node(depth, "MatchAs", p.span);
                self.opt(d, "pattern", pattern.as_deref(), Self::pattern);
                self.scalar(d, "name", name(n));
            }
            PatternKind::MatchOr(patterns) => {
                self.node(depth, "MatchOr", p.span);
                self.list(d, "patterns", patterns, Self::pattern);
            }
        }
    }

    // --------------------------------------------------------------------- expressions

    /// An expression whose context (for the nodes that have one) is `ctx`. Operators and
    /// contexts print by their `Debug` names, which are CPython's class names.
    fn expr(&mut self, e: &Expr, ctx: Ctx, depth: usize) {
        let d = depth + 1;
        let span = e.span;
        match &e.kind {
            ExprKind::BoolOp { op, values } => {
                self.node(depth, "BoolOp", span);
                self.scalar(d, "op", format!("{op:?}"));
                self.loads(d, "values", values);
            }
            ExprKind::NamedExpr { target, value } => {
                self.node(depth, "NamedExpr", span);
                self.store(d, "target", target);
                self.load(d, "value", value);
            }
            ExprKind::BinOp { left, op, right } => {
                self.node(depth, "BinOp", span);
                self.load(d, "left", left);
                self.scalar(d, "op", format!("{op:?}"));
                self.load(d, "right", right);
            }
            ExprKind::UnaryOp { op, operand } => {
                self.node(depth, "UnaryOp", span);
                self.scalar(d, "op", format!("{op:?}"));
                self.load(d, "operand", operand);
            }
            ExprKind::Lambda { args, body } => {
                self.node(depth, "Lambda", span);
                self.field(d, "args", args.as_ref(), Self::arguments);
                self.load(d, "body", body);
            }
            ExprKind::IfExp { test, body, orelse } => {
                self.node(depth, "IfExp", span);
                self.load(d, "test", test);
                self.load(d, "body", body);
                self.load(d, "orelse", orelse);
            }
            ExprKind::Dict { keys, values } => {
                self.node(depth, "Dict", span);
                self.list(d, "keys", keys, |r, k, d| match k {
                    Some(k) => r.load_expr(k, d),
                    None => r.line(d, "None"),
                });
                self.loads(d, "values", values);
            }
            ExprKind::Set(elts) => {
                self.node(depth, "Set", span);
                self.loads(d, "elts", elts);
            }
            ExprKind::ListComp { elt, generators }
            | ExprKind::SetComp { elt, generators }
            | ExprKind::GeneratorExp { elt, generators } => {
                let class = match e.kind {
                    ExprKind::ListComp { .. } => "ListComp",
                    ExprKind::SetComp { .. } => "SetComp",
                    _ => "GeneratorExp",
                };
                self.node(depth, class, span);
                self.load(d, "elt", elt);
                self.list(d, "generators", generators, Self::comprehension);
            }
            ExprKind::DictComp {
                key,
                value,
                generators,
            } => {
                self.node(depth, "DictComp", span);
                self.load(d, "key", key);
                self.load(d, "value", value);
                self.list(d, "generators", generators, Self::comprehension);
            }
            ExprKind::Await(value) => {
                self.node(depth, "Await", span);
                self.load(d, "value", value);
            }
            ExprKind::Yield(value) => {
                self.node(depth, "Yield", span);
                self.opt_load(d, "value", value.as_deref());
            }
            ExprKind::YieldFrom(value) => {
                self.node(depth, "YieldFrom", span);
                self.load(d, "value", value);
            }
            ExprKind::Compare {
                left,
                ops,
                comparators,
            } => {
                self.node(depth, "Compare", span);
                self.load(d, "left", left);
                let ops: Vec<String> = ops.iter().map(|op| format!("{op:?}")).collect();
                self.scalars(d, "ops", &ops);
                self.loads(d, "comparators", comparators);
            }
            ExprKind::Call {
                func,
                args,
                keywords,
            } => {
                self.node(depth, "Call", span);
                self.load(d, "func", func);
                self.loads(d, "args", args);
                self.list(d, "keywords", keywords, Self::keyword);
            }
            ExprKind::JoinedStr(values) => {
                self.node(depth, "JoinedStr", span);
                let outer = std::mem::replace(&mut self.in_fstring, true);
                self.list(d, "values", values, Self::fstring_element);
                self.in_fstring = outer;
            }
            ExprKind::Constant(value) => {
                self.node(depth, "Constant", span);
                self.scalar(d, "value", constant_repr(value));
            }
            ExprKind::Attribute { value, attr } => {
                self.node(depth, "Attribute", span);
                self.load(d, "value", value);
                self.scalar(d, "attr", str_repr(&attr.name));
                self.scalar(d, "ctx", format!("{ctx:?}"));
            }
            ExprKind::Subscript { value, slice } => {
                self.node(depth, "Subscript", span);
                self.load(d, "value", value);
                self.load(d, "slice", slice);
                self.scalar(d, "ctx", format!("{ctx:?}"));
            }
            ExprKind::Starred(value) => {
                // A target's context reaches through `*` and into tuples and lists.
                self.node(depth, "Starred", span);
                self.field(d, "value", value.as_ref(), |r, e, d| r.expr(e, ctx, d));
                self.scalar(d, "ctx", format!("{ctx:?}"));
            }
            ExprKind::Name(id) => {
                self.node(depth, "Name", span);
                self.scalar(d, "id", str_repr(id));
                self.scalar(d, "ctx", format!("{ctx:?}"));
            }
            ExprKind::List(elts) | ExprKind::Tuple(elts) => {
                let class = if matches!(e.kind, ExprKind::List(_)) {
                    "List"
                } else {
                    "Tuple"
                };
                self.node(depth, class, span);
                self.list(d, "elts", elts, |r, e, d| r.expr(e, ctx, d));
                self.scalar(d, "ctx", format!("{ctx:?}"));
            }
            ExprKind::Slice { lower, upper, step } => {
                self.node(depth, "Slice", span);
                self.opt_load(d, "lower", lower.as_deref());
                self.opt_load(d, "upper", upper.as_deref());
                self.opt_load(d, "step", step.as_deref());
            }
        }
    }

    fn comprehension(&mut self, c: &Comprehension, depth: usize) {
        let d = depth + 1;
        self.line(depth, "comprehension");
        self.store(d, "target", &c.target);
        self.load(d, "iter", &c.iter);
        self.loads(d, "ifs", &c.ifs);
        self.scalar(d, "is_async", u8::from(c.is_async));
    }

    /// A part of a `JoinedStr`: a `Constant` or a `FormattedValue` (no positions in there).
    fn fstring_element(&mut self, element: &FStringElement, depth: usize) {
        let d = depth + 1;
        match element {
            FStringElement::Literal(text) => {
                self.line(depth, "Constant");
                self.scalar(d, "value", str_repr(text));
            }
            FStringElement::Formatted {
                value,
                conversion,
                format_spec,
            } => {
                self.line(depth, "FormattedValue");
                self.load(d, "value", value);
                self.scalar(d, "conversion", conversion.map_or(-1, |c| c as i32));
                self.opt(d, "format_spec", format_spec.as_ref(), |r, spec, d| {
                    r.line(d, "JoinedStr");
                    r.list(d + 1, "values", spec, Self::fstring_element);
                });
            }
        }
    }
}

/// `repr()` of an optional identifier.
fn opt_repr(s: Option<&str>) -> String {
    s.map_or_else(|| "None".to_string(), str_repr)
}

/// `repr()` of a constant's value.
fn constant_repr(c: &Constant) -> String {
    match c {
        Constant::None => "None".into(),
        Constant::Bool(true) => "True".into(),
        Constant::Bool(false) => "False".into(),
        Constant::Int(i) => i.to_string(),
        Constant::Float(f) => float_repr(*f),
        Constant::Complex(imag) => imaginary_repr(*imag),
        Constant::Str(s) => str_repr(s),
        Constant::Bytes(b) => bytes_repr(b),
        Constant::Ellipsis => "Ellipsis".into(),
    }
}

// ------------------------------------------------------------------------- the test

/// `strings_surrogates` writes lone surrogates (`"\ud800"`), which a Rust `String` cannot
/// hold: the lexer decodes them to U+FFFD, which `repr` prints as itself. So each `\udXXX`
/// escape (D800-DFFF) of the expected text is replaced by that character before comparing.
fn replace_surrogate_escapes(expected: &str) -> String {
    let mut out = String::with_capacity(expected.len());
    let mut rest = expected;
    while let Some(i) = rest.find('\\') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let escape = rest.get(..6).filter(|e| e.starts_with("\\u"));
        let code = escape.and_then(|e| u32::from_str_radix(&e[2..], 16).ok());
        if let Some(0xD800..=0xDFFF) = code {
            out.push('\u{FFFD}');
            rest = &rest[6..];
        } else {
            // Any other escape, `\\` included, is copied whole.
            let len = rest[1..].chars().next().map_or(1, |c| 1 + c.len_utf8());
            out.push_str(&rest[..len]);
            rest = &rest[len..];
        }
    }
    out.push_str(rest);
    out
}

/// The first differing lines of two renderings, numbered from 1.
fn first_differences(expected: &str, actual: &str, limit: usize) -> Vec<String> {
    let expected: Vec<&str> = expected.lines().collect();
    let actual: Vec<&str> = actual.lines().collect();
    (0..expected.len().max(actual.len()))
        .filter_map(|i| {
            let e = expected.get(i).copied();
            let a = actual.get(i).copied();
            (e != a).then(|| {
                format!(
                    "  line {}:\n    expected: {}\n    actual:   {}",
                    i + 1,
                    e.unwrap_or("<end>"),
                    a.unwrap_or("<end>")
                )
            })
        })
        .take(limit)
        .collect()
}

#[test]
fn valid_fixtures_parse_like_cpython() {
    let paths = common::fixtures("valid", 60);

    let mut failures = Vec::new();
    for path in &paths {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let source = fs::read_to_string(path).expect("fixture is UTF-8");
        let mut expected =
            fs::read_to_string(path.with_extension("pyast")).expect("X.pyast exists");
        if name == "strings_surrogates" {
            expected = replace_surrogate_escapes(&expected);
        }
        let actual = match aio_parser::parse_module(&source) {
            Ok(module) => render(&module, &source),
            Err(e) => {
                failures.push(format!(
                    "{name}: does not parse: {} at {:?}",
                    e.summary(),
                    e.span
                ));
                continue;
            }
        };
        if actual != expected {
            let diff = first_differences(&expected, &actual, 15).join("\n");
            failures.push(format!("{name}:\n{diff}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures differ from CPython:\n\n{}",
        failures.len(),
        paths.len(),
        failures.join("\n\n")
    );
}

// Expected values below were printed by CPython 3.11 (`python3 -c 'print(repr(...))'`).

#[test]
fn str_repr_matches_python() {
    for (s, repr) in [
        ("abc", "'abc'"),
        ("it's", "\"it's\""),
        ("say \"hi\"", "'say \"hi\"'"),
        ("both ' and \"", "'both \\' and \"'"),
        ("\n\t\r\\", "'\\n\\t\\r\\\\'"),
        ("\x00\x1f\x7f", "'\\x00\\x1f\\x7f'"),
        ("\u{80}\u{a0}\u{ad}\u{ff}", "'\\x80\\xa0\\xad\u{ff}'"),
        ("\u{200b}\u{2028}\u{feff}", "'\\u200b\\u2028\\ufeff'"),
        ("é€😀", "'é€😀'"),
        ("\u{e000}", "'\\ue000'"),
        ("\u{10ffff}", "'\\U0010ffff'"),
        ("\u{378}", "'\\u0378'"),
        ("\u{3000}", "'\\u3000'"),
        ("\u{fffd}", "'\u{fffd}'"),
        (" ", "' '"),
        ("", "''"),
        ("\x0b\x0c", "'\\x0b\\x0c'"),
        ("\u{e0001}\u{1f600}", "'\\U000e0001\u{1f600}'"),
    ] {
        assert_eq!(str_repr(s), repr, "{s:?}");
    }
}

#[test]
fn bytes_repr_matches_python() {
    for (b, repr) in [
        (&b"abc"[..], "b'abc'"),
        (b"it's", "b\"it's\""),
        (b"\x00\xff\n\t\r\\", "b'\\x00\\xff\\n\\t\\r\\\\'"),
        (b"'\"", "b'\\'\"'"),
        (b"\x7f\x80 ~", "b'\\x7f\\x80 ~'"),
        (b"", "b''"),
    ] {
        assert_eq!(bytes_repr(b), repr, "{b:?}");
    }
}

#[test]
fn float_repr_matches_python() {
    for (x, repr) in [
        (0.0, "0.0"),
        (1.0, "1.0"),
        (0.1, "0.1"),
        (1e-5, "1e-05"),
        (1.5e-5, "1.5e-05"),
        (0.0001, "0.0001"),
        (1e16, "1e+16"),
        (1e15, "1000000000000000.0"),
        (123456789012345678.0, "1.2345678901234568e+17"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (5e-324, "5e-324"),
        (f64::INFINITY, "inf"),
        (f64::NAN, "nan"),
        (2.5, "2.5"),
        (1e22, "1e+22"),
        (1.2345, "1.2345"),
        (0.1 + 0.2, "0.30000000000000004"),
        (1e100, "1e+100"),
        (12345.678, "12345.678"),
        (9999999999999998.0, "9999999999999998.0"),
    ] {
        assert_eq!(float_repr(x), repr, "{x:e}");
    }
}

#[test]
fn imaginary_repr_matches_python() {
    for (imag, repr) in [
        (3.0, "3j"),
        (1.5, "1.5j"),
        (0.0, "0j"),
        (1e16, "1e+16j"),
        (1e15, "1000000000000000j"),
        (1e-5, "1e-05j"),
        (f64::INFINITY, "infj"),
        (2.5e-7, "2.5e-07j"),
        (0.1, "0.1j"),
    ] {
        assert_eq!(imaginary_repr(imag), repr, "{imag:e}");
    }
}

#[test]
fn surrogate_escapes_become_replacement_characters() {
    assert_eq!(
        replace_surrogate_escapes(r"'\ud800' '\ud83d\ude00' '\\ud800' '\u200b'"),
        "'\u{fffd}' '\u{fffd}\u{fffd}' '\\\\ud800' '\\u200b'"
    );
}
