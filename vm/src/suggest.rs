//! "Did you mean" hints for uncaught `NameError` and `AttributeError`, computed as CPython
//! 3.11's `Python/suggestions.c` does: a Levenshtein distance over bytes where changing case
//! costs half a move, bounded by the lengths.

use crate::object::Payload;
use crate::value::Obj;
use crate::vm::Vm;

const MAX_CANDIDATE_ITEMS: usize = 750;
const MAX_STRING_SIZE: usize = 40;
const MOVE_COST: usize = 2;
const CASE_COST: usize = 1;

fn substitution_cost(a: u8, b: u8) -> usize {
    if (a & 31) != (b & 31) {
        return MOVE_COST;
    }
    if a == b {
        return 0;
    }
    if a.eq_ignore_ascii_case(&b) {
        CASE_COST
    } else {
        MOVE_COST
    }
}

fn levenshtein<'a>(mut a: &'a [u8], mut b: &'a [u8], max_cost: usize) -> usize {
    if a == b {
        return 0;
    }
    while let (Some(x), Some(y)) = (a.first(), b.first()) {
        if x != y {
            break;
        }
        a = &a[1..];
        b = &b[1..];
    }
    while let (Some(x), Some(y)) = (a.last(), b.last()) {
        if x != y {
            break;
        }
        a = &a[..a.len() - 1];
        b = &b[..b.len() - 1];
    }
    if a.is_empty() || b.is_empty() {
        return (a.len() + b.len()) * MOVE_COST;
    }
    if a.len() > MAX_STRING_SIZE || b.len() > MAX_STRING_SIZE {
        return max_cost + 1;
    }
    if b.len() < a.len() {
        std::mem::swap(&mut a, &mut b);
    }
    if (b.len() - a.len()) * MOVE_COST > max_cost {
        return max_cost + 1;
    }
    let mut buffer: Vec<usize> = (0..a.len()).map(|i| (i + 1) * MOVE_COST).collect();
    let mut result = 0;
    for (bi, &code) in b.iter().enumerate() {
        let mut distance = bi * MOVE_COST;
        result = distance;
        let mut minimum = usize::MAX;
        for (i, &ac) in a.iter().enumerate() {
            let substitute = distance + substitution_cost(code, ac);
            distance = buffer[i];
            let insert_delete = result.min(distance) + MOVE_COST;
            result = insert_delete.min(substitute);
            buffer[i] = result;
            minimum = minimum.min(result);
        }
        if minimum > max_cost {
            return max_cost + 1;
        }
    }
    result
}

/// The closest candidate to `name`, if close enough.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let candidates: Vec<&str> = candidates.into_iter().collect();
    if candidates.len() >= MAX_CANDIDATE_ITEMS {
        return None;
    }
    let mut best: Option<&str> = None;
    let mut best_distance = usize::MAX;
    for item in candidates {
        if item == name {
            continue;
        }
        let max_distance =
            ((name.len() + item.len() + 3) * MOVE_COST / 6).min(best_distance.saturating_sub(1));
        let d = levenshtein(name.as_bytes(), item.as_bytes(), max_distance);
        if d > max_distance {
            continue;
        }
        if best.is_none() || d < best_distance {
            best = Some(item);
            best_distance = d;
        }
    }
    best.map(str::to_string)
}

impl Vm {
    /// Records the globals of `f` on a `NameError` raised there (once: a re-raise elsewhere
    /// keeps the frame it came from), for [`Vm::suggestion`].
    pub(crate) fn note_raised_in(&self, f: &crate::frame::Frame, exc: &Obj) {
        if !exc
            .class_raw()
            .is_some_and(|c| std::rc::Rc::ptr_eq(c, &self.exc.name_error))
        {
            return;
        }
        if let Payload::Exception(d) = &exc.payload {
            let mut d = d.borrow_mut();
            if d.raised_in.is_none() {
                d.raised_in = Some(std::rc::Rc::downgrade(&f.globals));
            }
        }
    }

    /// The ". Did you mean: 'x'?" suffix of an uncaught exception's report, or "": as
    /// CPython 3.11's `_Py_Offer_suggestions`, only for exactly `AttributeError` (the
    /// closest name of `dir(obj)`) and `NameError` (the closest of the innermost traceback
    /// frame's local variable names, else of its globals, else of the builtins).
    pub(crate) fn suggestion(&mut self, e: &Obj) -> String {
        let Some(cls) = e.class_raw().cloned() else {
            return String::new();
        };
        let (extra, code, globals) = match &e.payload {
            Payload::Exception(d) => {
                let d = d.borrow();
                (
                    d.extra.clone(),
                    d.traceback.first().map(|t| t.code.clone()),
                    d.raised_in.as_ref().and_then(std::rc::Weak::upgrade),
                )
            }
            _ => return String::new(),
        };
        let found = if std::rc::Rc::ptr_eq(&cls, &self.exc.attribute_error) {
            let Some(Payload::Tuple(t)) = extra.payload() else {
                return String::new();
            };
            let (Some(name), Some(obj)) = (
                t.first().and_then(|n| n.as_str().cloned()),
                t.get(1).cloned(),
            ) else {
                return String::new();
            };
            let names = crate::builtins::dir_of(self, &obj).unwrap_or_default();
            closest(name.as_str(), names.iter().map(String::as_str))
        } else if std::rc::Rc::ptr_eq(&cls, &self.exc.name_error) {
            // CPython needs the traceback's frame; without one there is no hint.
            let (Some(name), Some(code)) = (extra.as_str().cloned(), code) else {
                return String::new();
            };
            let dict_keys = |d: &Obj| -> Vec<String> {
                match &d.payload {
                    Payload::Dict(d) => d
                        .borrow()
                        .iter()
                        .filter_map(|en| en.key.as_str().map(|s| s.as_str().to_string()))
                        .collect(),
                    _ => Vec::new(),
                }
            };
            let name = name.as_str();
            closest(name, code.varnames.iter().map(|v| v.as_str()))
                .or_else(|| {
                    let names = globals.as_ref().map(dict_keys).unwrap_or_default();
                    closest(name, names.iter().map(String::as_str))
                })
                .or_else(|| {
                    let names = dict_keys(&self.builtins);
                    closest(name, names.iter().map(String::as_str))
                })
        } else {
            return String::new();
        };
        match found {
            Some(s) => format!(". Did you mean: '{s}'?"),
            None => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_names_are_suggested() {
        assert_eq!(
            closest("balanse", ["balance", "deposit"]).as_deref(),
            Some("balance")
        );
        assert_eq!(closest("xyz", ["balance"]), None);
        assert_eq!(closest("Print", ["print"]).as_deref(), Some("print"));
    }
}
