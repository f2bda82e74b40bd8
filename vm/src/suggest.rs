//! "Did you mean" hints for uncaught `NameError` and `AttributeError`, computed as CPython
//! 3.11's `Python/suggestions.c` does: a Levenshtein distance over bytes where changing case
//! costs half a move, bounded by the lengths.

use crate::object::Payload;
use crate::value::{Obj, Value};
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
    /// The ". Did you mean: 'x'?" suffix for an uncaught exception, or "".
    pub(crate) fn suggestion(&mut self, e: &Obj) -> String {
        let Some(cls) = e.class_raw().cloned() else {
            return String::new();
        };
        let extra = match &e.payload {
            Payload::Exception(d) => d.borrow().extra.clone(),
            _ => return String::new(),
        };
        let (name, candidates) =
            if crate::types::is_subtype(&cls, &self.exc.attribute_error.clone()) {
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
                (name, names)
            } else if crate::types::is_subtype(&cls, &self.exc.name_error.clone()) {
                let Some(name) = extra.as_str().cloned() else {
                    return String::new();
                };
                let mut names = Vec::new();
                let main = self.intern("__main__");
                if let Some(Value::Obj(m)) = self.dict_get_str(&self.modules.clone(), &main) {
                    if let Some(Payload::Dict(d)) =
                        self.module_globals(&m).as_ref().map(|g| &g.payload)
                    {
                        names.extend(
                            d.borrow()
                                .iter()
                                .filter_map(|en| en.key.as_str().map(|s| s.as_str().to_string())),
                        );
                    }
                }
                if let Payload::Dict(d) = &self.builtins.payload {
                    names.extend(
                        d.borrow()
                            .iter()
                            .filter_map(|en| en.key.as_str().map(|s| s.as_str().to_string())),
                    );
                }
                (name, names)
            } else {
                return String::new();
            };
        match closest(name.as_str(), candidates.iter().map(String::as_str)) {
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
