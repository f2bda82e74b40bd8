//! Actions of the grammar that need more than a constructor: target validation, parameter
//! and argument lists, string concatenation, patterns. Each check raises the `SyntaxError`
//! CPython 3.11's parser raises for the same input (`Grammar/python.gram`, `invalid_*` rules).

use crate::ast::*;
use crate::fstring;
use aio_lexer::{FStringToken, Span, SyntaxError, Tok};
use lalrpop_util::ParseError;

/// The result type of fallible grammar actions.
pub type Res<'a, T> = Result<T, ParseError<u32, Tok<'a>, SyntaxError>>;

/// A `SyntaxError` with `message` at `span`, as a parse error.
pub fn error<'a>(message: &str, span: Span) -> ParseError<u32, Tok<'a>, SyntaxError> {
    ParseError::User {
        error: SyntaxError::new(message, span),
    }
}

fn fail<'a, T>(message: impl Into<String>, span: Span) -> Res<'a, T> {
    Err(ParseError::User {
        error: SyntaxError::new(message, span),
    })
}

// ------------------------------------------------------------------------- operators

/// `left op right`.
pub fn binop(left: Expr, op: BinOp, right: Expr, span: Span) -> Expr {
    Expr::new(
        ExprKind::BinOp {
            left: Box::new(left),
            op,
            right: Box::new(right),
        },
        span,
    )
}

/// Binding strength of the binary operators below `**`, as in Python's grammar.
fn precedence(op: BinOp) -> u8 {
    match op {
        BinOp::BitOr => 1,
        BinOp::BitXor => 2,
        BinOp::BitAnd => 3,
        BinOp::LShift | BinOp::RShift => 4,
        BinOp::Add | BinOp::Sub => 5,
        BinOp::Mult | BinOp::Div | BinOp::FloorDiv | BinOp::Mod | BinOp::MatMult => 6,
        BinOp::Pow => 7,
    }
}

/// Groups `first op e op e ...` into left-associative `BinOp` nodes by precedence
/// (operator-precedence parsing). Each operand comes with its span including parentheses,
/// from which the nodes' spans are made.
pub fn binary_chain(first_span: Span, first: Expr, tail: Vec<(BinOp, Span, Expr)>) -> Expr {
    let mut operands: Vec<(Span, Expr)> = Vec::with_capacity(tail.len() + 1);
    let mut operators: Vec<BinOp> = Vec::with_capacity(tail.len());
    operands.push((first_span, first));
    let reduce = |operands: &mut Vec<(Span, Expr)>, op: BinOp| {
        let (right_span, right) = operands.pop().expect("an operand per operator");
        let (left_span, left) = operands.pop().expect("an operand per operator");
        let span = Span::new(left_span.start, right_span.end);
        operands.push((span, binop(left, op, right, span)));
    };
    for (op, span, operand) in tail {
        while let Some(&top) = operators.last() {
            if precedence(top) < precedence(op) {
                break;
            }
            operators.pop();
            reduce(&mut operands, top);
        }
        operators.push(op);
        operands.push((span, operand));
    }
    while let Some(op) = operators.pop() {
        reduce(&mut operands, op);
    }
    operands.pop().expect("one expression remains").1
}

/// `a and b and c` as one n-ary node.
pub fn boolop(op: BoolOp, first: Expr, rest: Vec<Expr>, span: Span) -> Expr {
    let mut values = Vec::with_capacity(rest.len() + 1);
    values.push(first);
    values.extend(rest);
    Expr::new(ExprKind::BoolOp { op, values }, span)
}

/// `a < b <= c` as one n-ary node.
pub fn compare(left: Expr, rest: Vec<(CmpOp, Expr)>, span: Span) -> Expr {
    let (ops, comparators) = rest.into_iter().unzip();
    Expr::new(
        ExprKind::Compare {
            left: Box::new(left),
            ops,
            comparators,
        },
        span,
    )
}

/// `a, b` (a tuple) or `a` (the element itself).
pub fn tuple_or_single(mut elts: Vec<Expr>, trailing_comma: bool, span: Span) -> Expr {
    if elts.len() == 1 && !trailing_comma {
        elts.pop().unwrap()
    } else {
        Expr::new(ExprKind::Tuple(elts), span)
    }
}

/// `( ... )`: a parenthesised expression or a tuple (whose span includes the parentheses).
pub fn parenthesized<'a>(mut elts: Vec<Expr>, trailing_comma: bool, span: Span) -> Res<'a, Expr> {
    if elts.len() == 1 && !trailing_comma {
        let e = elts.pop().unwrap();
        if let ExprKind::Starred(_) = e.kind {
            return fail("cannot use starred expression here", e.span);
        }
        Ok(e)
    } else {
        Ok(Expr::new(ExprKind::Tuple(elts), span))
    }
}

/// Rejects `*x` as the element of a comprehension.
pub fn comprehension_element<'a>(elt: Expr) -> Res<'a, Expr> {
    if let ExprKind::Starred(_) = elt.kind {
        return fail(
            "iterable unpacking cannot be used in comprehension",
            elt.span,
        );
    }
    Ok(elt)
}

/// `{k: v, **d}`.
pub fn dict(items: Vec<(Option<Expr>, Expr)>, span: Span) -> Expr {
    let (keys, values) = items.into_iter().unzip();
    Expr::new(ExprKind::Dict { keys, values }, span)
}

/// `a.b.c` from its names.
pub fn dotted(first: Ident, rest: Vec<Ident>) -> Expr {
    let mut e = Expr::new(ExprKind::Name(first.name), first.span);
    for attr in rest {
        let span = Span::new(e.span.start, attr.span.end);
        e = Expr::new(
            ExprKind::Attribute {
                value: Box::new(e),
                attr,
            },
            span,
        );
    }
    e
}

/// Moves boxed grammar values out of their boxes. The grammar boxes every value larger than
/// an `Expr`, so that the LR stack's symbols stay small (moving them dominates parse time).
pub fn unbox<T>(items: Vec<Box<T>>) -> Vec<T> {
    items.into_iter().map(|item| *item).collect()
}

// ------------------------------------------------------------------------- targets

/// How CPython names an expression in "cannot assign to ..." messages
/// (`_PyPegen_get_expr_name`).
pub(crate) fn expr_name(e: &Expr) -> &'static str {
    match &e.kind {
        ExprKind::Attribute { .. } => "attribute",
        ExprKind::Subscript { .. } => "subscript",
        ExprKind::Starred(_) => "starred",
        ExprKind::Name(_) => "name",
        ExprKind::List(_) => "list",
        ExprKind::Tuple(_) => "tuple",
        ExprKind::Lambda { .. } => "lambda",
        ExprKind::Call { .. } => "function call",
        ExprKind::BoolOp { .. } | ExprKind::BinOp { .. } | ExprKind::UnaryOp { .. } => "expression",
        ExprKind::GeneratorExp { .. } => "generator expression",
        ExprKind::Yield(_) | ExprKind::YieldFrom(_) => "yield expression",
        ExprKind::Await(_) => "await expression",
        ExprKind::ListComp { .. } => "list comprehension",
        ExprKind::SetComp { .. } => "set comprehension",
        ExprKind::DictComp { .. } => "dict comprehension",
        ExprKind::Dict { .. } => "dict literal",
        ExprKind::Set(_) => "set display",
        ExprKind::JoinedStr(_) => "f-string expression",
        ExprKind::Constant(Constant::None) => "None",
        ExprKind::Constant(Constant::Bool(true)) => "True",
        ExprKind::Constant(Constant::Bool(false)) => "False",
        ExprKind::Constant(Constant::Ellipsis) => "ellipsis",
        ExprKind::Constant(_) => "literal",
        ExprKind::Compare { .. } => "comparison",
        ExprKind::IfExp { .. } => "conditional expression",
        ExprKind::NamedExpr { .. } => "named expression",
        ExprKind::Slice { .. } => "slice",
    }
}

/// The first sub-expression of an assignment target that cannot be assigned to.
fn invalid_store_target(e: &Expr) -> Option<&Expr> {
    match &e.kind {
        ExprKind::Name(_) | ExprKind::Attribute { .. } | ExprKind::Subscript { .. } => None,
        ExprKind::Starred(inner) => invalid_store_target(inner),
        ExprKind::Tuple(elts) | ExprKind::List(elts) => elts.iter().find_map(invalid_store_target),
        _ => Some(e),
    }
}

/// The first sub-expression of a `del` target that cannot be deleted.
fn invalid_del_target(e: &Expr) -> Option<&Expr> {
    match &e.kind {
        ExprKind::Name(_) | ExprKind::Attribute { .. } | ExprKind::Subscript { .. } => None,
        ExprKind::Tuple(elts) | ExprKind::List(elts) => elts.iter().find_map(invalid_del_target),
        _ => Some(e),
    }
}

/// Checks a `for`, `with ... as` or comprehension target.
pub fn store_target<'a>(e: Expr) -> Res<'a, Expr> {
    if let Some(bad) = invalid_store_target(&e) {
        return fail(format!("cannot assign to {}", expr_name(bad)), bad.span);
    }
    Ok(e)
}

/// True for expressions of CPython's `bitwise_or` tier or tighter.
fn is_bitwise_or(e: &Expr) -> bool {
    !matches!(
        e.kind,
        ExprKind::Compare { .. }
            | ExprKind::BoolOp { .. }
            | ExprKind::UnaryOp {
                op: UnaryOp::Not,
                ..
            }
            | ExprKind::IfExp { .. }
            | ExprKind::Lambda { .. }
            | ExprKind::NamedExpr { .. }
            | ExprKind::Starred(_)
            | ExprKind::Yield(_)
            | ExprKind::YieldFrom(_)
    )
}

/// CPython points at the first element of an unparenthesised tuple target it rejects (a
/// parenthesised tuple's span includes its parentheses, so it starts before its first
/// element).
fn first_element_span(target: &Expr) -> Span {
    match &target.kind {
        ExprKind::Tuple(elts) => elts
            .first()
            .filter(|e| e.span.start == target.span.start)
            .map_or(target.span, |e| e.span),
        _ => target.span,
    }
}

/// `a = b = value`, or an expression statement when there is no `=`.
pub fn assign_or_expr<'a>(first: Expr, rest: Vec<Expr>, span: Span) -> Res<'a, Stmt> {
    if rest.is_empty() {
        return Ok(Stmt::new(StmtKind::Expr(first), span));
    }
    let mut exprs = Vec::with_capacity(rest.len() + 1);
    exprs.push(first);
    exprs.extend(rest);
    let value = exprs.pop().unwrap();
    let last = exprs.len() - 1;
    for (i, target) in exprs.iter().enumerate() {
        if matches!(target.kind, ExprKind::Yield(_) | ExprKind::YieldFrom(_)) {
            return fail("assignment to yield expression not possible", target.span);
        }
        if let Some(bad) = invalid_store_target(target) {
            let next = if i == last { &value } else { &exprs[i + 1] };
            // Spans exclude parentheses: a parenthesised first target starts after the
            // statement, a parenthesised value ends before it.
            let here = i == 0
                && i == last
                && (is_bitwise_or(target) || target.span.start > span.start)
                && (is_bitwise_or(next) || next.span.end < span.end)
                && !matches!(
                    target.kind,
                    ExprKind::Tuple(_)
                        | ExprKind::List(_)
                        | ExprKind::Constant(Constant::None | Constant::Bool(_))
                );
            return if here {
                let span = Span::new(target.span.start, target.span.end);
                fail(
                    format!(
                        "cannot assign to {} here. Maybe you meant '==' instead of '='?",
                        expr_name(target)
                    ),
                    span,
                )
            } else {
                fail(format!("cannot assign to {}", expr_name(bad)), bad.span)
            };
        }
    }
    Ok(Stmt::new(
        StmtKind::Assign {
            targets: exprs,
            value,
        },
        span,
    ))
}

/// `target op= value`.
pub fn aug_assign<'a>(target: Expr, op: BinOp, value: Expr, span: Span) -> Res<'a, Stmt> {
    match target.kind {
        ExprKind::Name(_) | ExprKind::Attribute { .. } | ExprKind::Subscript { .. } => {
            Ok(Stmt::new(StmtKind::AugAssign { target, op, value }, span))
        }
        _ => fail(
            format!(
                "'{}' is an illegal expression for augmented assignment",
                expr_name(&target)
            ),
            target.span,
        ),
    }
}

/// `target: annotation [= value]`.
pub fn ann_assign<'a>(
    target: Expr,
    annotation: Expr,
    value: Option<Expr>,
    span: Span,
) -> Res<'a, Stmt> {
    let simple = match &target.kind {
        ExprKind::Name(_) => target.span.start == span.start,
        ExprKind::Attribute { .. } | ExprKind::Subscript { .. } => false,
        ExprKind::Tuple(_) => {
            return fail(
                "only single target (not tuple) can be annotated",
                first_element_span(&target),
            )
        }
        ExprKind::List(_) => {
            return fail(
                "only single target (not list) can be annotated",
                target.span,
            )
        }
        _ => return fail("illegal target for annotation", target.span),
    };
    Ok(Stmt::new(
        StmtKind::AnnAssign {
            target,
            annotation,
            value,
            simple,
        },
        span,
    ))
}

/// `del targets`.
pub fn delete<'a>(targets: Vec<Expr>, span: Span) -> Res<'a, Stmt> {
    for t in &targets {
        if let Some(bad) = invalid_del_target(t) {
            return fail(format!("cannot delete {}", expr_name(bad)), bad.span);
        }
    }
    Ok(Stmt::new(StmtKind::Delete(targets), span))
}

// ------------------------------------------------------------------------- statements

/// The statements of a block and the end of its last token. A compound statement ends
/// there, as in CPython: after a trailing `;` (`for x in y: pass;`), if there is one.
pub struct Block {
    /// The statements.
    pub body: Vec<Stmt>,
    /// The end of the block's last token (not counting line breaks and dedents).
    pub end: u32,
}

impl Block {
    /// A line of simple statements; `semicolon` is the end of a trailing `;`.
    pub fn line(first: Stmt, rest: Vec<Stmt>, semicolon: Option<u32>) -> Block {
        let mut body = Vec::with_capacity(rest.len() + 1);
        body.push(first);
        body.extend(rest);
        let end = semicolon.unwrap_or_else(|| body.last().map_or(0, |s| s.span.end));
        Block { body, end }
    }

    /// A compound statement as a block of its own.
    pub fn compound(stmt: Stmt) -> Block {
        Block {
            end: stmt.span.end,
            body: vec![stmt],
        }
    }

    /// An indented block: its lines joined.
    pub fn indented(lines: Vec<Block>) -> Block {
        let end = lines.last().map_or(0, |b| b.end);
        let body = lines.into_iter().flat_map(|b| b.body).collect();
        Block { body, end }
    }

    /// Where a statement made of `self` and an optional last clause ends.
    pub fn end_with(&self, last: Option<&Block>) -> u32 {
        last.map_or(self.end, |b| b.end)
    }
}

/// The statements of an optional block (none when absent).
pub fn stmts(block: Option<Block>) -> Vec<Stmt> {
    block.map(|b| b.body).unwrap_or_default()
}

/// Marks a `for`, `with` or `def` as `async`, starting its span at the `async` keyword.
pub fn make_async(mut stmt: Stmt, start: u32) -> Stmt {
    match &mut stmt.kind {
        StmtKind::For { is_async, .. } | StmtKind::With { is_async, .. } => *is_async = true,
        StmtKind::FunctionDef(f) => f.is_async = true,
        _ => {}
    }
    stmt.span.start = start;
    stmt
}

/// Attaches decorators to a `def` or `class` (the span stays at the keyword, as in CPython).
pub fn decorate(mut stmt: Stmt, decorators: Vec<Expr>) -> Stmt {
    match &mut stmt.kind {
        StmtKind::FunctionDef(f) => f.decorators = decorators,
        StmtKind::ClassDef(c) => c.decorators = decorators,
        _ => {}
    }
    stmt
}

/// `if`/`elif`/`else` as nested `If` nodes.
pub fn if_chain(
    start: u32,
    test: Expr,
    body: Block,
    elifs: Vec<(u32, Expr, Block)>,
    orelse: Option<Block>,
) -> Stmt {
    let mut end = orelse.as_ref().map(|b| b.end);
    let mut tail = stmts(orelse);
    for (l, test, body) in elifs.into_iter().rev() {
        let r = end.unwrap_or(body.end);
        end = Some(r);
        tail = vec![Stmt::new(
            StmtKind::If {
                test,
                body: body.body,
                orelse: tail,
            },
            Span::new(l, r),
        )];
    }
    let r = end.unwrap_or(body.end);
    Stmt::new(
        StmtKind::If {
            test,
            body: body.body,
            orelse: tail,
        },
        Span::new(start, r),
    )
}

/// `try` with its handlers, `else` and `finally` blocks.
pub fn try_stmt<'a>(
    start: u32,
    body: Block,
    handlers: Vec<(bool, ExceptHandler)>,
    orelse: Option<Block>,
    finalbody: Option<Block>,
) -> Res<'a, Stmt> {
    let is_star = handlers.first().is_some_and(|h| h.0);
    if let Some((star, h)) = handlers.iter().find(|h| h.0 != is_star) {
        // CPython underlines the offending `except*` (written without a space, as it
        // almost always is) or `except` keyword.
        let keyword = if *star { "except*" } else { "except" };
        return fail(
            "cannot have both 'except' and 'except*' on the same 'try'",
            Span::new(h.span.start, h.span.start + keyword.len() as u32),
        );
    }
    if is_star {
        if let Some((_, h)) = handlers.iter().find(|h| h.1.typ.is_none()) {
            return fail("expected one or more exception types", h.span);
        }
    }
    let handlers: Vec<ExceptHandler> = handlers.into_iter().map(|h| h.1).collect();
    let end = finalbody
        .as_ref()
        .or(orelse.as_ref())
        .map(|b| b.end)
        .or(handlers.last().map(|h| h.span.end))
        .unwrap_or(body.end);
    let (orelse, finalbody) = (stmts(orelse), stmts(finalbody));
    Ok(Stmt::new(
        StmtKind::Try {
            body: body.body,
            handlers,
            orelse,
            finalbody,
            is_star,
        },
        Span::new(start, end),
    ))
}

// ------------------------------------------------------------------------- parameters

/// One item of a parameter list, before validation.
pub enum ParamItem {
    /// `name[: ann] [= default]`.
    Param(Arg, Option<Expr>, Span),
    /// `/`.
    Slash(Span),
    /// `*` or `*args`.
    Star(Option<Arg>, Span),
    /// `*args = default` (always an error).
    StarWithDefault(Span),
    /// `**kwargs`, and whether a default followed (an error).
    DoubleStar(Arg, bool, Span),
}

/// Builds `Arguments` from a parameter list, with CPython's ordering errors. A lambda's
/// list passes where its `:` is (`lambda_colon`): CPython reports a bare `*` without names
/// after it there at the next token, the `**` or the `:` (`invalid_lambda_star_etc`), and
/// a `def`'s at the `*`.
pub fn arguments<'a>(items: Vec<ParamItem>, lambda_colon: Option<u32>) -> Res<'a, Arguments> {
    let bare_star = |star: Span, double_star: Option<Span>| match (lambda_colon, double_star) {
        (None, _) => star,
        (Some(_), Some(at)) => Span::new(at.start, at.start + 2),
        (Some(colon), None) => Span::new(colon, colon + 1),
    };
    let mut args = Arguments::default();
    let mut seen_slash = false;
    let mut seen_star: Option<Span> = None;
    let mut bare_star_needs_name: Option<Span> = None;
    let mut seen_kwarg = false;
    let mut seen_default = false;
    let mut positional: Vec<Arg> = Vec::new();
    for item in items {
        if seen_kwarg {
            let span = match &item {
                ParamItem::Param(_, _, s)
                | ParamItem::Slash(s)
                | ParamItem::Star(_, s)
                | ParamItem::StarWithDefault(s)
                | ParamItem::DoubleStar(_, _, s) => *s,
            };
            return fail("arguments cannot follow var-keyword argument", span);
        }
        match item {
            ParamItem::Param(arg, default, span) => {
                if seen_star.is_some() {
                    bare_star_needs_name = None;
                    args.kwonlyargs.push(arg);
                    args.kw_defaults.push(default);
                } else {
                    match default {
                        Some(d) => {
                            seen_default = true;
                            args.defaults.push(d);
                        }
                        None if seen_default => {
                            return fail("non-default argument follows default argument", span)
                        }
                        None => {}
                    }
                    positional.push(arg);
                }
            }
            ParamItem::Slash(span) => {
                if seen_slash {
                    return fail("/ may appear only once", span);
                }
                if seen_star.is_some() {
                    return fail("/ must be ahead of *", span);
                }
                if positional.is_empty() {
                    return fail("at least one argument must precede /", span);
                }
                seen_slash = true;
                args.posonlyargs = std::mem::take(&mut positional);
            }
            ParamItem::Star(arg, span) => {
                if seen_star.is_some() {
                    return fail("* argument may appear only once", span);
                }
                seen_star = Some(span);
                if arg.is_none() {
                    bare_star_needs_name = Some(span);
                }
                args.vararg = arg;
            }
            ParamItem::StarWithDefault(span) => {
                return fail("var-positional argument cannot have default value", span);
            }
            ParamItem::DoubleStar(arg, has_default, span) => {
                if has_default {
                    return fail("var-keyword argument cannot have default value", span);
                }
                if let Some(star) = bare_star_needs_name.take() {
                    return fail(
                        "named arguments must follow bare *",
                        bare_star(star, Some(span)),
                    );
                }
                seen_kwarg = true;
                args.kwarg = Some(arg);
            }
        }
    }
    if let Some(star) = bare_star_needs_name {
        return fail("named arguments must follow bare *", bare_star(star, None));
    }
    args.args = positional;
    Ok(args)
}

// ------------------------------------------------------------------------- calls

/// One item of a call's argument list, before validation.
pub enum ArgItem {
    /// A positional argument.
    Positional(Expr),
    /// An unparenthesised generator expression argument.
    Generator(Expr),
    /// `name=value` (the name is validated to be a plain name).
    Keyword(Expr, Expr, Span, u32),
    /// `*iterable` (already a `Starred`).
    Star(Expr),
    /// `**mapping`.
    DoubleStar(Expr, Span),
}

/// Splits and checks call arguments into positional and keyword lists.
///
/// `close` is the offset of the closing parenthesis, where CPython reports an argument out of
/// order.
pub fn call_arguments<'a>(items: Vec<ArgItem>, close: u32) -> Res<'a, (Vec<Expr>, Vec<Keyword>)> {
    let count = items.len();
    let mut args = Vec::new();
    let mut keywords: Vec<Keyword> = Vec::new();
    let mut seen_keyword = false;
    let mut seen_double_star = false;
    for item in items {
        match item {
            ArgItem::Generator(e) if count > 1 => {
                return fail("Generator expression must be parenthesized", e.span);
            }
            ArgItem::Positional(e) | ArgItem::Generator(e) | ArgItem::Star(e) => {
                let is_star = matches!(e.kind, ExprKind::Starred(_));
                if seen_double_star {
                    if is_star {
                        return fail(
                            "iterable argument unpacking follows keyword argument unpacking",
                            Span::new(e.span.start, e.span.start + 1),
                        );
                    }
                    return fail(
                        "positional argument follows keyword argument unpacking",
                        Span::at(close),
                    );
                }
                if seen_keyword && !is_star {
                    return fail(
                        "positional argument follows keyword argument",
                        Span::at(close),
                    );
                }
                args.push(e);
            }
            ArgItem::Keyword(name, value, span, eq_end) => {
                let arg = match name.kind {
                    ExprKind::Name(n) => Ident {
                        name: n,
                        span: name.span,
                    },
                    ExprKind::Constant(Constant::None | Constant::Bool(_)) => {
                        return fail(format!("cannot assign to {}", expr_name(&name)), span);
                    }
                    _ => {
                        return fail(
                            "expression cannot contain assignment, perhaps you meant \"==\"?",
                            Span::new(name.span.start, eq_end),
                        )
                    }
                };
                seen_keyword = true;
                keywords.push(Keyword {
                    arg: Some(arg),
                    value,
                    span,
                });
            }
            ArgItem::DoubleStar(value, span) => {
                seen_keyword = true;
                seen_double_star = true;
                keywords.push(Keyword {
                    arg: None,
                    value,
                    span,
                });
            }
        }
    }
    Ok((args, keywords))
}

/// `func(args)`; `open` is the offset of the `(`. A lone generator argument spans the
/// call's parentheses, as in CPython (`f(x for x in y)`).
pub fn call<'a>(func: Expr, open: u32, mut items: Vec<ArgItem>, span: Span) -> Res<'a, Expr> {
    if let [ArgItem::Generator(generator)] = items.as_mut_slice() {
        generator.span = Span::new(open, span.end);
    }
    let (args, keywords) = call_arguments(items, span.end - 1)?;
    Ok(Expr::new(
        ExprKind::Call {
            func: Box::new(func),
            args,
            keywords,
        },
        span,
    ))
}

// ------------------------------------------------------------------------- strings

/// One string literal token of a run of adjacent literals.
pub enum StrPiece<'a> {
    /// A `str` literal.
    Str(String),
    /// A `bytes` literal.
    Bytes(Vec<u8>),
    /// An f-string.
    FString(FStringToken<'a>),
}

/// Joins adjacent string literals: a `str` or `bytes` constant, or a `JoinedStr` when an
/// f-string is among them.
pub fn strings<'a>(pieces: Vec<StrPiece<'a>>, span: Span) -> Res<'a, Expr> {
    let bytes_count = pieces
        .iter()
        .filter(|p| matches!(p, StrPiece::Bytes(..)))
        .count();
    if bytes_count > 0 && bytes_count < pieces.len() {
        // CPython reports it at the token after the literals.
        return fail("cannot mix bytes and nonbytes literals", Span::at(span.end));
    }
    if bytes_count > 0 {
        let mut out = Vec::new();
        for p in pieces {
            if let StrPiece::Bytes(b) = p {
                out.extend(b);
            }
        }
        return Ok(Expr::new(ExprKind::Constant(Constant::Bytes(out)), span));
    }
    if !pieces.iter().any(|p| matches!(p, StrPiece::FString(..))) {
        let mut out = String::new();
        for p in pieces {
            if let StrPiece::Str(s) = p {
                out.push_str(&s);
            }
        }
        return Ok(Expr::new(ExprKind::Constant(Constant::Str(out)), span));
    }
    let mut elements: Vec<FStringElement> = Vec::new();
    let mut literal = String::new();
    for p in pieces {
        match p {
            StrPiece::Str(s) => literal.push_str(&s),
            StrPiece::FString(tok) => {
                for element in fstring::parse(&tok)? {
                    match element {
                        FStringElement::Literal(s) => literal.push_str(&s),
                        formatted => {
                            if !literal.is_empty() {
                                elements
                                    .push(FStringElement::Literal(std::mem::take(&mut literal)));
                            }
                            elements.push(formatted);
                        }
                    }
                }
            }
            StrPiece::Bytes(..) => unreachable!("bytes were handled above"),
        }
    }
    if !literal.is_empty() {
        elements.push(FStringElement::Literal(literal));
    }
    Ok(Expr::new(ExprKind::JoinedStr(elements), span))
}

// ------------------------------------------------------------------------- patterns

/// One argument of a class pattern.
pub enum PatArg {
    /// A positional sub-pattern.
    Positional(Pattern),
    /// `attr=pattern`.
    Keyword(Ident, Pattern),
}

/// `pattern as name`.
pub fn as_pattern<'a>(pattern: Pattern, name: Ident, span: Span) -> Res<'a, Pattern> {
    if name.name == "_" {
        return fail("cannot use '_' as a target", name.span);
    }
    Ok(Pattern {
        kind: PatternKind::MatchAs {
            pattern: Some(Box::new(pattern)),
            name: Some(name),
        },
        span,
    })
}

/// A bare name in a pattern: a capture, or the wildcard `_`.
pub fn capture_pattern(name: Ident, span: Span) -> Pattern {
    let name = if name.name == "_" { None } else { Some(name) };
    Pattern {
        kind: PatternKind::MatchAs {
            pattern: None,
            name,
        },
        span,
    }
}

/// A literal pattern: singletons compare with `is`, everything else with `==`.
pub fn literal_pattern(e: Expr, span: Span) -> Pattern {
    let kind = match &e.kind {
        ExprKind::Constant(c @ (Constant::None | Constant::Bool(_))) => {
            PatternKind::MatchSingleton(c.clone())
        }
        _ => PatternKind::MatchValue(e),
    };
    Pattern { kind, span }
}

/// `real + imag` or `real - imag` in a pattern: the left number must be real, the right
/// one imaginary, as CPython's parser checks them.
pub fn complex_pattern<'a>(real: Expr, op: BinOp, imag: Expr, span: Span) -> Res<'a, Expr> {
    let is_imaginary = |e: &Expr| match &e.kind {
        ExprKind::UnaryOp { operand, .. } => {
            matches!(operand.kind, ExprKind::Constant(Constant::Complex(_)))
        }
        kind => matches!(kind, ExprKind::Constant(Constant::Complex(_))),
    };
    if is_imaginary(&real) {
        return fail("real number required in complex literal", real.span);
    }
    if !is_imaginary(&imag) {
        return fail("imaginary number required in complex literal", imag.span);
    }
    Ok(binop(real, op, imag, span))
}

/// `{key: pattern, **rest}`.
pub fn mapping_pattern<'a>(
    items: Vec<(Option<Expr>, Option<Pattern>, Option<Ident>)>,
    span: Span,
) -> Res<'a, Pattern> {
    let mut keys = Vec::new();
    let mut patterns = Vec::new();
    let mut rest: Option<Ident> = None;
    for (key, pattern, star) in items {
        if let Some(r) = &rest {
            return fail(
                "double star pattern must be the last (right-most) subpattern in a mapping pattern",
                r.span,
            );
        }
        match (key, pattern, star) {
            (Some(k), Some(p), None) => {
                keys.push(k);
                patterns.push(p);
            }
            (_, _, Some(name)) => rest = Some(name),
            _ => unreachable!("mapping items are key/pattern pairs or **rest"),
        }
    }
    Ok(Pattern {
        kind: PatternKind::MatchMapping {
            keys,
            patterns,
            rest,
        },
        span,
    })
}

/// `Cls(p, attr=q)`.
pub fn class_pattern<'a>(cls: Expr, args: Vec<PatArg>, span: Span) -> Res<'a, Pattern> {
    let mut patterns = Vec::new();
    let mut kwd_attrs = Vec::new();
    let mut kwd_patterns = Vec::new();
    for arg in args {
        match arg {
            PatArg::Positional(p) => {
                if !kwd_attrs.is_empty() {
                    return fail("positional patterns follow keyword patterns", p.span);
                }
                patterns.push(p);
            }
            PatArg::Keyword(name, p) => {
                kwd_attrs.push(name);
                kwd_patterns.push(p);
            }
        }
    }
    Ok(Pattern {
        kind: PatternKind::MatchClass {
            cls,
            patterns,
            kwd_attrs,
            kwd_patterns,
        },
        span,
    })
}
