//! The checks CPython's compiler makes on a `case` pattern before it emits any code
//! (`compiler_pattern*` in `compile.c`): irrefutable patterns that hide later ones, names
//! bound twice, alternatives that bind different names, several starred names in one
//! sequence, duplicate literal keys in a mapping and repeated keyword attributes in a class
//! pattern. Each error is reported where CPython reports it: at the pattern being compiled
//! when the check runs, which for checks made after sub-patterns is the last one visited.

use aio_lexer::{IntValue, Span, SyntaxError};
use aio_parser::ast::{Constant, Expr, ExprKind, Pattern, PatternKind, UnaryOp};

/// Checks one `case` pattern; `allow_irrefutable` is false for a case that is not the last
/// and has no guard.
pub fn check(p: &Pattern, allow_irrefutable: bool) -> Result<(), SyntaxError> {
    let mut c = Checker {
        stores: Vec::new(),
        last: p.span,
    };
    c.visit(p, allow_irrefutable)
}

struct Checker<'t> {
    /// The names bound so far, in binding order.
    stores: Vec<&'t str>,
    /// The span of the last pattern visited (CPython's current location).
    last: Span,
}

impl<'t> Checker<'t> {
    fn visit(&mut self, p: &'t Pattern, allow_irrefutable: bool) -> Result<(), SyntaxError> {
        self.last = p.span;
        match &p.kind {
            PatternKind::MatchValue(_) | PatternKind::MatchSingleton(_) => Ok(()),
            PatternKind::MatchAs {
                pattern: None,
                name,
            } => {
                if !allow_irrefutable {
                    let msg = match name {
                        Some(n) => format!(
                            "name capture '{}' makes remaining patterns unreachable",
                            n.name
                        ),
                        None => "wildcard makes remaining patterns unreachable".to_string(),
                    };
                    return Err(SyntaxError::new(msg, p.span));
                }
                self.store(name.as_ref().map(|n| n.name.as_str()))
            }
            PatternKind::MatchAs {
                pattern: Some(inner),
                name,
            } => {
                self.visit(inner, allow_irrefutable)?;
                self.store(name.as_ref().map(|n| n.name.as_str()))
            }
            PatternKind::MatchStar(name) => self.store(name.as_ref().map(|n| n.name.as_str())),
            PatternKind::MatchSequence(items) => {
                let stars = items
                    .iter()
                    .filter(|q| matches!(q.kind, PatternKind::MatchStar(_)))
                    .count();
                if stars > 1 {
                    return Err(SyntaxError::new(
                        "multiple starred names in sequence pattern",
                        p.span,
                    ));
                }
                items.iter().try_for_each(|q| self.visit(q, true))
            }
            PatternKind::MatchMapping {
                keys,
                patterns,
                rest,
            } => {
                let mut seen: Vec<String> = Vec::new();
                for k in keys {
                    if let Some((canon, repr)) = constant_key(k) {
                        if seen.contains(&canon) {
                            return Err(SyntaxError::new(
                                format!("mapping pattern checks duplicate key ({repr})"),
                                p.span,
                            ));
                        }
                        seen.push(canon);
                    }
                }
                patterns.iter().try_for_each(|q| self.visit(q, true))?;
                self.store(rest.as_ref().map(|n| n.name.as_str()))
            }
            PatternKind::MatchClass {
                patterns,
                kwd_attrs,
                kwd_patterns,
                ..
            } => {
                for (i, a) in kwd_attrs.iter().enumerate() {
                    if let Some(j) = (i + 1..kwd_attrs.len()).find(|&j| kwd_attrs[j].name == a.name)
                    {
                        let span = kwd_patterns.get(j).map_or(p.span, |q| q.span);
                        return Err(SyntaxError::new(
                            format!("attribute name repeated in class pattern: {}", a.name),
                            span,
                        ));
                    }
                }
                patterns
                    .iter()
                    .chain(kwd_patterns)
                    .try_for_each(|q| self.visit(q, true))
            }
            PatternKind::MatchOr(alts) => {
                let outer = std::mem::take(&mut self.stores);
                let mut control: Option<Vec<&'t str>> = None;
                for (i, alt) in alts.iter().enumerate() {
                    self.stores = Vec::new();
                    self.visit(alt, i + 1 == alts.len() && allow_irrefutable)?;
                    let stores = std::mem::take(&mut self.stores);
                    match &control {
                        None => control = Some(stores),
                        Some(c) => {
                            if c.len() != stores.len() || c.iter().any(|n| !stores.contains(n)) {
                                return Err(SyntaxError::new(
                                    "alternative patterns bind different names",
                                    self.last,
                                ));
                            }
                        }
                    }
                }
                self.stores = outer;
                control
                    .unwrap_or_default()
                    .into_iter()
                    .try_for_each(|n| self.store(Some(n)))
            }
        }
    }

    /// Records a bound name (`None` is the wildcard, which binds nothing).
    fn store(&mut self, name: Option<&'t str>) -> Result<(), SyntaxError> {
        let Some(n) = name else { return Ok(()) };
        if self.stores.contains(&n) {
            return Err(SyntaxError::new(
                format!("multiple assignments to name '{n}' in pattern"),
                self.last,
            ));
        }
        self.stores.push(n);
        Ok(())
    }
}

/// A mapping key that is a literal, as a canonical text (equal keys, such as `1`, `1.0`
/// and `True`, give equal texts) and its repr; `None` for other keys (attribute lookups,
/// complex sums), which are never reported as duplicates.
fn constant_key(e: &Expr) -> Option<(String, String)> {
    let (k, negative) = match &e.kind {
        ExprKind::Constant(k) => (k, false),
        ExprKind::UnaryOp {
            op: UnaryOp::USub,
            operand,
        } => match &operand.kind {
            ExprKind::Constant(k) => (k, true),
            _ => return None,
        },
        _ => return None,
    };
    let number = |x: f64| {
        if x.fract() == 0.0 && x.abs() < 9.0e15 {
            format!("n{}", x as i64)
        } else {
            format!("f{}", x.to_bits())
        }
    };
    Some(match (k, negative) {
        (Constant::None, _) => ("None".into(), "None".into()),
        (Constant::Bool(b), _) => (
            format!("n{}", u8::from(*b)),
            if *b { "True" } else { "False" }.into(),
        ),
        (Constant::Int(IntValue::Small(i)), neg) => {
            let v = if neg { -i128::from(*i) } else { i128::from(*i) };
            (format!("n{v}"), v.to_string())
        }
        (Constant::Int(IntValue::Big(b)), neg) => {
            let v = if neg { -b.clone() } else { b.clone() };
            (format!("n{v}"), v.to_string())
        }
        (Constant::Float(x), neg) => {
            let v = if neg { -x } else { *x };
            (number(v), crate::format::float_repr(v))
        }
        (Constant::Str(s), false) => (format!("s{s}"), crate::builtins::str_repr(s)),
        (Constant::Bytes(b), false) => (format!("b{b:?}"), crate::builtins::bytes_repr(b)),
        _ => return None,
    })
}
