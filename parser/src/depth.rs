//! The nesting limit: a tree deeper than [`crate::MAX_NESTING`] is rejected with CPython's
//! `RecursionError` before any recursive pass (dump, compiler) walks it. The walk here keeps
//! its own stack, and a rejected tree is leaked rather than dropped, because dropping a tree
//! is itself recursive.

use crate::ast::*;
use crate::MAX_NESTING;
use aio_lexer::{Span, SyntaxError, SyntaxErrorKind};

/// Returns `module` if it is shallow enough, the `RecursionError` otherwise.
pub fn check(module: Module) -> Result<Module, SyntaxError> {
    match too_deep(&module) {
        None => Ok(module),
        Some(span) => {
            std::mem::forget(module);
            Err(
                SyntaxError::new("maximum recursion depth exceeded during compilation", span)
                    .with_kind(SyntaxErrorKind::Recursion),
            )
        }
    }
}

/// A node of any kind, for the explicit-stack walk.
#[derive(Clone, Copy)]
enum Node<'a> {
    Stmt(&'a Stmt),
    Expr(&'a Expr),
    Pattern(&'a Pattern),
}

impl Node<'_> {
    fn span(self) -> Span {
        match self {
            Node::Stmt(s) => s.span,
            Node::Expr(e) => e.span,
            Node::Pattern(p) => p.span,
        }
    }
}

fn too_deep(module: &Module) -> Option<Span> {
    walk(module, MAX_NESTING).err()
}

/// The depth of `module`'s tree (the module itself is level 1), or the span of a node
/// deeper than `limit`.
fn walk(module: &Module, limit: usize) -> Result<usize, Span> {
    let mut stack: Vec<(Node<'_>, usize)> =
        module.body.iter().map(|s| (Node::Stmt(s), 2)).collect();
    let mut children = Vec::new();
    let mut deepest = 1;
    while let Some((node, depth)) = stack.pop() {
        if depth > limit {
            return Err(node.span());
        }
        deepest = deepest.max(depth);
        push_children(node, &mut children);
        stack.extend(children.drain(..).map(|c| (c, depth + 1)));
    }
    Ok(deepest)
}

/// The depth of `module`'s tree, for tests of the parser's depth bound.
#[cfg(test)]
pub fn max_depth(module: &Module) -> usize {
    walk(module, usize::MAX).unwrap_or(usize::MAX)
}

fn push_children<'a>(node: Node<'a>, out: &mut Vec<Node<'a>>) {
    match node {
        Node::Stmt(s) => stmt_children(s, out),
        Node::Expr(e) => expr_children(e, out),
        Node::Pattern(p) => pattern_children(p, out),
    }
}

fn block<'a>(body: &'a [Stmt], out: &mut Vec<Node<'a>>) {
    out.extend(body.iter().map(Node::Stmt));
}

fn exprs<'a>(es: impl IntoIterator<Item = &'a Expr>, out: &mut Vec<Node<'a>>) {
    out.extend(es.into_iter().map(Node::Expr));
}

fn arguments<'a>(a: &'a Arguments, out: &mut Vec<Node<'a>>) {
    let params = a
        .posonlyargs
        .iter()
        .chain(&a.args)
        .chain(&a.vararg)
        .chain(&a.kwonlyargs)
        .chain(&a.kwarg);
    exprs(params.filter_map(|p| p.annotation.as_ref()), out);
    exprs(&a.defaults, out);
    exprs(a.kw_defaults.iter().flatten(), out);
}

fn stmt_children<'a>(s: &'a Stmt, out: &mut Vec<Node<'a>>) {
    match &s.kind {
        StmtKind::FunctionDef(f) => {
            arguments(&f.args, out);
            block(&f.body, out);
            exprs(&f.decorators, out);
            exprs(&f.returns, out);
        }
        StmtKind::ClassDef(c) => {
            exprs(&c.bases, out);
            exprs(c.keywords.iter().map(|k| &k.value), out);
            block(&c.body, out);
            exprs(&c.decorators, out);
        }
        StmtKind::Return(v) => exprs(v, out),
        StmtKind::Delete(ts) => exprs(ts, out),
        StmtKind::Assign { targets, value } => {
            exprs(targets, out);
            exprs([value], out);
        }
        StmtKind::AugAssign { target, value, .. } => exprs([target, value], out),
        StmtKind::AnnAssign {
            target,
            annotation,
            value,
            ..
        } => {
            exprs([target, annotation], out);
            exprs(value, out);
        }
        StmtKind::For {
            target,
            iter,
            body,
            orelse,
            ..
        } => {
            exprs([target, iter], out);
            block(body, out);
            block(orelse, out);
        }
        StmtKind::While { test, body, orelse } | StmtKind::If { test, body, orelse } => {
            exprs([test], out);
            block(body, out);
            block(orelse, out);
        }
        StmtKind::With { items, body, .. } => {
            for item in items {
                exprs([&item.context_expr], out);
                exprs(&item.optional_vars, out);
            }
            block(body, out);
        }
        StmtKind::Match { subject, cases } => {
            exprs([subject], out);
            for case in cases {
                out.push(Node::Pattern(&case.pattern));
                exprs(&case.guard, out);
                block(&case.body, out);
            }
        }
        StmtKind::Raise { exc, cause } => {
            exprs(exc, out);
            exprs(cause, out);
        }
        StmtKind::Try {
            body,
            handlers,
            orelse,
            finalbody,
            ..
        } => {
            block(body, out);
            for h in handlers {
                exprs(&h.typ, out);
                block(&h.body, out);
            }
            block(orelse, out);
            block(finalbody, out);
        }
        StmtKind::Assert { test, msg } => {
            exprs([test], out);
            exprs(msg, out);
        }
        StmtKind::Expr(e) => exprs([e], out),
        StmtKind::Import(_)
        | StmtKind::ImportFrom { .. }
        | StmtKind::Global(_)
        | StmtKind::Nonlocal(_)
        | StmtKind::Pass
        | StmtKind::Break
        | StmtKind::Continue => {}
    }
}

fn comprehensions<'a>(generators: &'a [Comprehension], out: &mut Vec<Node<'a>>) {
    for g in generators {
        exprs([&g.target, &g.iter], out);
        exprs(&g.ifs, out);
    }
}

fn fstring_elements<'a>(elements: &'a [FStringElement], out: &mut Vec<Node<'a>>) {
    for element in elements {
        if let FStringElement::Formatted {
            value, format_spec, ..
        } = element
        {
            exprs([&**value], out);
            if let Some(spec) = format_spec {
                fstring_elements(spec, out);
            }
        }
    }
}

fn expr_children<'a>(e: &'a Expr, out: &mut Vec<Node<'a>>) {
    match &e.kind {
        ExprKind::BoolOp { values, .. } => exprs(values, out),
        ExprKind::NamedExpr { target, value } => exprs([&**target, &**value], out),
        ExprKind::BinOp { left, right, .. } => exprs([&**left, &**right], out),
        ExprKind::UnaryOp { operand, .. } => exprs([&**operand], out),
        ExprKind::Lambda { args, body } => {
            arguments(args, out);
            exprs([&**body], out);
        }
        ExprKind::IfExp { test, body, orelse } => exprs([&**test, &**body, &**orelse], out),
        ExprKind::Dict { keys, values } => {
            exprs(keys.iter().flatten(), out);
            exprs(values, out);
        }
        ExprKind::Set(elts) | ExprKind::List(elts) | ExprKind::Tuple(elts) => exprs(elts, out),
        ExprKind::ListComp { elt, generators }
        | ExprKind::SetComp { elt, generators }
        | ExprKind::GeneratorExp { elt, generators } => {
            exprs([&**elt], out);
            comprehensions(generators, out);
        }
        ExprKind::DictComp {
            key,
            value,
            generators,
        } => {
            exprs([&**key, &**value], out);
            comprehensions(generators, out);
        }
        ExprKind::Await(v) | ExprKind::YieldFrom(v) | ExprKind::Starred(v) => exprs([&**v], out),
        ExprKind::Yield(v) => exprs(v.as_deref(), out),
        ExprKind::Compare {
            left, comparators, ..
        } => {
            exprs([&**left], out);
            exprs(comparators, out);
        }
        ExprKind::Call {
            func,
            args,
            keywords,
        } => {
            exprs([&**func], out);
            exprs(args, out);
            exprs(keywords.iter().map(|k| &k.value), out);
        }
        ExprKind::JoinedStr(elements) => fstring_elements(elements, out),
        ExprKind::Attribute { value, .. } => exprs([&**value], out),
        ExprKind::Subscript { value, slice } => exprs([&**value, &**slice], out),
        ExprKind::Slice { lower, upper, step } => {
            exprs(lower.as_deref(), out);
            exprs(upper.as_deref(), out);
            exprs(step.as_deref(), out);
        }
        ExprKind::Constant(_) | ExprKind::Name(_) => {}
    }
}

fn pattern_children<'a>(p: &'a Pattern, out: &mut Vec<Node<'a>>) {
    match &p.kind {
        PatternKind::MatchValue(e) => exprs([e], out),
        PatternKind::MatchSingleton(_) | PatternKind::MatchStar(_) => {}
        PatternKind::MatchSequence(ps) | PatternKind::MatchOr(ps) => {
            out.extend(ps.iter().map(Node::Pattern))
        }
        PatternKind::MatchMapping { keys, patterns, .. } => {
            exprs(keys, out);
            out.extend(patterns.iter().map(Node::Pattern));
        }
        PatternKind::MatchClass {
            cls,
            patterns,
            kwd_patterns,
            ..
        } => {
            exprs([cls], out);
            out.extend(patterns.iter().chain(kwd_patterns).map(Node::Pattern));
        }
        PatternKind::MatchAs { pattern, .. } => out.extend(pattern.as_deref().map(Node::Pattern)),
    }
}

#[cfg(test)]
mod tests {
    use crate::parse_module;

    #[test]
    fn deep_expressions_are_a_recursion_error() {
        let src = format!("x = 1{}\n", "+1".repeat(3100));
        let err = parse_module(&src).unwrap_err();
        assert_eq!(
            err.summary(),
            "RecursionError: maximum recursion depth exceeded during compilation"
        );
        let ok = format!("x = 1{}\n", "+1".repeat(2900));
        assert!(parse_module(&ok).is_ok());
    }
}
