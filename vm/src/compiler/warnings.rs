//! The `SyntaxWarning`s CPython 3.11's compiler gives for code that is valid but almost
//! certainly a mistake (`compiler_warn` in `compile.c`): `is` with a literal, calling or
//! subscripting a literal ("perhaps you missed a comma?"), and an `assert` of a tuple.
//! Each check looks at the syntax tree as CPython's does after its constant folding.

use aio_lexer::Span;
use aio_parser::ast::{CmpOp, Constant, Expr, ExprKind, UnaryOp};

/// A warning found while compiling: a `SyntaxWarning` with `message`, at `span`.
#[derive(Clone, Debug, PartialEq)]
pub struct CompileWarning {
    /// Where it applies (its line is the one reported).
    pub span: Span,
    /// The text, as CPython words it.
    pub message: String,
}

/// `left op right ...`: `"is" with a literal. Did you mean "=="?` for the first `is`/`is
/// not` with a literal operand (CPython's `check_compare` stops there).
pub fn compare(left: &Expr, ops: &[CmpOp], comparators: &[Expr]) -> Option<String> {
    let mut left_literal = is_literal(left);
    for (op, right) in ops.iter().zip(comparators) {
        let right_literal = is_literal(right);
        if matches!(op, CmpOp::Is | CmpOp::IsNot) && (left_literal || right_literal) {
            return Some(match op {
                CmpOp::Is => "\"is\" with a literal. Did you mean \"==\"?".to_string(),
                _ => "\"is not\" with a literal. Did you mean \"!=\"?".to_string(),
            });
        }
        left_literal = right_literal;
    }
    None
}

/// `func(...)` where `func` is a literal that cannot be callable (`check_caller`).
pub fn call(func: &Expr) -> Option<String> {
    let callable_kind = matches!(
        func.kind,
        ExprKind::Constant(_)
            | ExprKind::Tuple(_)
            | ExprKind::List(_)
            | ExprKind::ListComp { .. }
            | ExprKind::Dict { .. }
            | ExprKind::DictComp { .. }
            | ExprKind::Set(_)
            | ExprKind::SetComp { .. }
            | ExprKind::GeneratorExp { .. }
            | ExprKind::JoinedStr(_)
    );
    if !callable_kind {
        return None;
    }
    let name = literal_type(func)?;
    Some(format!(
        "'{name}' object is not callable; perhaps you missed a comma?"
    ))
}

/// `value[index]` read where `value` is a literal that cannot be subscripted, or a
/// sequence literal indexed by a literal that is no integer (`check_subscripter` and
/// `check_index`).
pub fn subscript(value: &Expr, index: &Expr) -> Option<String> {
    let not_subscriptable = match &value.kind {
        ExprKind::Constant(c) => matches!(
            c,
            Constant::None
                | Constant::Ellipsis
                | Constant::Int(_)
                | Constant::Float(_)
                | Constant::Complex(_)
                | Constant::Bool(_)
        ),
        ExprKind::Set(_)
        | ExprKind::SetComp { .. }
        | ExprKind::GeneratorExp { .. }
        | ExprKind::Lambda { .. } => true,
        _ => false,
    };
    if not_subscriptable {
        let name = literal_type(value)?;
        return Some(format!(
            "'{name}' object is not subscriptable; perhaps you missed a comma?"
        ));
    }
    let index_type = literal_type(index)?;
    if matches!(index_type, "int" | "bool") {
        return None;
    }
    let sequence = match &value.kind {
        ExprKind::Constant(c) => matches!(c, Constant::Str(_) | Constant::Bytes(_)),
        ExprKind::Tuple(_)
        | ExprKind::List(_)
        | ExprKind::ListComp { .. }
        | ExprKind::JoinedStr(_) => true,
        _ => false,
    };
    if !sequence {
        return None;
    }
    let name = literal_type(value)?;
    Some(format!(
        "{name} indices must be integers or slices, not {index_type}; perhaps you missed a comma?"
    ))
}

/// `assert (test, msg)`: a non-empty tuple is always true.
pub fn assert(test: &Expr) -> Option<String> {
    match &test.kind {
        ExprKind::Tuple(items) if !items.is_empty() => {
            Some("assertion is always true, perhaps remove parentheses?".to_string())
        }
        _ => None,
    }
}

/// Whether `e` is a constant other than `None`, `True`, `False` and `...` once CPython's
/// optimizer folded it (a signed number, a tuple of constants), which `is` compares by
/// identity by accident (`check_is_arg`).
fn is_literal(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Constant(c) => {
            !matches!(c, Constant::None | Constant::Bool(_) | Constant::Ellipsis)
        }
        ExprKind::UnaryOp { op, operand } => {
            !matches!(op, UnaryOp::Not)
                && matches!(
                    operand.kind,
                    ExprKind::Constant(
                        Constant::Int(_) | Constant::Float(_) | Constant::Complex(_)
                    )
                )
        }
        ExprKind::Tuple(items) => items.iter().all(is_constant),
        _ => false,
    }
}

/// Whether `e` folds to a constant (`is_literal`'s tuple items may be `None` too).
fn is_constant(e: &Expr) -> bool {
    matches!(e.kind, ExprKind::Constant(_)) || is_literal(e)
}

/// The type a literal expression makes (CPython's `infer_type`), `None` for others.
fn literal_type(e: &Expr) -> Option<&'static str> {
    Some(match &e.kind {
        ExprKind::Tuple(_) => "tuple",
        ExprKind::List(_) | ExprKind::ListComp { .. } => "list",
        ExprKind::Dict { .. } | ExprKind::DictComp { .. } => "dict",
        ExprKind::Set(_) | ExprKind::SetComp { .. } => "set",
        ExprKind::GeneratorExp { .. } => "generator",
        ExprKind::Lambda { .. } => "function",
        ExprKind::JoinedStr(_) => "str",
        ExprKind::Constant(c) => match c {
            Constant::None => "NoneType",
            Constant::Bool(_) => "bool",
            Constant::Int(_) => "int",
            Constant::Float(_) => "float",
            Constant::Complex(_) => "complex",
            Constant::Str(_) => "str",
            Constant::Bytes(_) => "bytes",
            Constant::Ellipsis => "ellipsis",
        },
        ExprKind::UnaryOp { op, operand } if !matches!(op, UnaryOp::Not) && is_literal(e) => {
            literal_type(operand)?
        }
        _ => return None,
    })
}
