//! Differential tests against CPython 3.11: `testdata/cases.txt`, written by
//! `tests/tools/gen_table_cases.py` (which documents the format), holds hash values and set
//! programs with the iteration orders and table sizes CPython produced. Every record is
//! checked and all mismatches are reported together.

use super::hash::{
    hash_bigint, hash_bool, hash_bytes, hash_complex, hash_f64, hash_frozenset, hash_i64, hash_str,
    hash_tuple,
};
use super::SetTable;
use num_bigint::BigInt;
use std::collections::HashMap;
use std::convert::Infallible;

const CASES: &str = include_str!("testdata/cases.txt");

/// A Python value as written in the data file.
#[derive(Clone, Debug, PartialEq)]
enum Value {
    Int(BigInt),
    Bool(bool),
    Float(u64),
    Complex(u64, u64),
    Str(String),
    Bytes(Vec<u8>),
    Tuple(Vec<Value>),
    FrozenSet(Vec<Value>),
}

fn hex_bytes(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex byte"))
        .collect()
}

/// Parses the items of a tuple or frozenset token up to its `)`; returns them and the rest.
fn parse_items(mut rest: &str) -> (Vec<Value>, &str) {
    let mut items = vec![];
    while !rest.starts_with(')') {
        let (v, r) = parse_value(rest);
        items.push(v);
        rest = r.strip_prefix(',').unwrap_or(r);
    }
    (items, &rest[1..])
}

/// Parses one token at the start of `s`; returns it and the rest.
fn parse_value(s: &str) -> (Value, &str) {
    if let Some(rest) = s.strip_prefix("t(") {
        let (v, rest) = parse_items(rest);
        return (Value::Tuple(v), rest);
    }
    if let Some(rest) = s.strip_prefix("fs(") {
        let (v, rest) = parse_items(rest);
        return (Value::FrozenSet(v), rest);
    }
    let n = s.find([',', ')', ' ']).unwrap_or(s.len());
    let (text, rest) = s.split_at(n);
    let (kind, body) = text.split_once(':').expect("token kind");
    let bits = |h: &str| u64::from_str_radix(h, 16).expect("float bits");
    let value = match kind {
        "i" => Value::Int(body.parse().expect("int")),
        "b" => Value::Bool(body == "1"),
        "f" => Value::Float(bits(body)),
        "c" => {
            let (re, im) = body.split_once(':').expect("complex");
            Value::Complex(bits(re), bits(im))
        }
        "s" => Value::Str(String::from_utf8(hex_bytes(body)).expect("utf-8")),
        "y" => Value::Bytes(hex_bytes(body)),
        _ => panic!("unknown token {text:?}"),
    };
    (value, rest)
}

fn parse_values(fields: &[&str]) -> Vec<Value> {
    fields
        .iter()
        .map(|f| {
            let (v, rest) = parse_value(f);
            assert!(rest.is_empty(), "trailing text in {f:?}");
            v
        })
        .collect()
}

fn format_value(v: &Value, out: &mut String) {
    use std::fmt::Write;
    let list = |items: &[Value], open: &str, out: &mut String| {
        out.push_str(open);
        for (k, item) in items.iter().enumerate() {
            if k > 0 {
                out.push(',');
            }
            format_value(item, out);
        }
        out.push(')');
    };
    match v {
        Value::Int(i) => write!(out, "i:{i}").unwrap(),
        Value::Bool(b) => write!(out, "b:{}", *b as u8).unwrap(),
        Value::Float(f) => write!(out, "f:{f:016x}").unwrap(),
        Value::Complex(r, i) => write!(out, "c:{r:016x}:{i:016x}").unwrap(),
        Value::Str(s) => {
            out.push_str("s:");
            s.bytes().for_each(|b| write!(out, "{b:02x}").unwrap());
        }
        Value::Bytes(bytes) => {
            out.push_str("y:");
            bytes.iter().for_each(|b| write!(out, "{b:02x}").unwrap());
        }
        Value::Tuple(items) => list(items, "t(", out),
        Value::FrozenSet(items) => list(items, "fs(", out),
    }
}

fn hash(v: &Value) -> i64 {
    match v {
        Value::Int(i) => {
            let h = hash_bigint(i);
            if let Ok(small) = i64::try_from(i) {
                assert_eq!(hash_i64(small), h, "hash_i64({small})");
            }
            h
        }
        Value::Bool(b) => hash_bool(*b),
        Value::Float(bits) => hash_f64(f64::from_bits(*bits), 0),
        Value::Complex(re, im) => hash_complex(f64::from_bits(*re), f64::from_bits(*im), 0),
        Value::Str(s) => hash_str(s),
        Value::Bytes(b) => hash_bytes(b),
        Value::Tuple(items) => hash_tuple(items.iter().map(hash)),
        Value::FrozenSet(items) => hash_frozenset(items.iter().map(hash)),
    }
}

/// Python equality for the keys the set programs use (ints, strs, tuples of those).
fn eq(stored: &Value, probe: &Value) -> Result<bool, Infallible> {
    Ok(stored == probe)
}

fn hashed(values: &[Value]) -> impl Iterator<Item = Result<(i64, Value), Infallible>> + '_ {
    values.iter().map(|v| Ok((hash(v), v.clone())))
}

fn from_values(values: &[Value]) -> SetTable<Value> {
    let mut t = SetTable::new();
    t.extend(hashed(values), eq).unwrap();
    t
}

fn fnv1a64(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

#[test]
fn table_cpython_hashes() {
    let mut failures = vec![];
    let mut count = 0;
    for (n, line) in CASES.lines().enumerate() {
        let Some(rest) = line.strip_prefix("hash ") else {
            continue;
        };
        let (value_text, expected) = rest.rsplit_once(' ').unwrap();
        let (value, tail) = parse_value(value_text);
        assert!(tail.is_empty(), "line {}: trailing text", n + 1);
        let expected: i64 = expected.parse().unwrap();
        let got = hash(&value);
        if got != expected {
            failures.push(format!(
                "line {}: hash {value_text} = {got}, CPython {expected}",
                n + 1
            ));
        }
        count += 1;
    }
    assert!(count > 3000, "only {count} hash records");
    assert!(
        failures.is_empty(),
        "{} of {count} hashes differ from CPython:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The state of one set program.
#[derive(Default)]
struct Program {
    sets: HashMap<String, SetTable<Value>>,
    lists: HashMap<String, Vec<Value>>,
}

impl Program {
    fn set(&self, name: &str) -> &SetTable<Value> {
        self.sets
            .get(name)
            .unwrap_or_else(|| panic!("no set {name}"))
    }

    fn take(&mut self, name: &str) -> SetTable<Value> {
        self.sets
            .remove(name)
            .unwrap_or_else(|| panic!("no set {name}"))
    }

    /// A `<toks>` operand, or the list a bare name stands for.
    fn values(&self, fields: &[&str]) -> Vec<Value> {
        match fields {
            [name] if name.chars().all(|c| c.is_ascii_uppercase()) => self.lists[*name].clone(),
            _ => parse_values(fields),
        }
    }

    /// Runs one step; returns a mismatch description for `expect`, `pop` and `fhash`.
    fn step(&mut self, op: &str, args: &[&str]) -> Option<String> {
        let a = args.first().copied().unwrap_or_default();
        let b = args.get(1).copied().unwrap_or_default();
        let c = args.get(2).copied().unwrap_or_default();
        let result = match op {
            "new" => SetTable::new(),
            "build" | "frozen" => from_values(&self.values(&args[1..])),
            "literal" => {
                let items = self.values(&args[1..]);
                if items.len() >= 3 {
                    // The compiler folds the display into a frozenset constant, rebuilt
                    // from its own iteration order when constants are merged; BUILD_SET 0
                    // and SET_UPDATE then merge it into a new set.
                    let folded = from_values(&items);
                    let merged: Vec<Value> = folded.iter().cloned().collect();
                    from_values(&merged).copy()
                } else {
                    from_values(&items)
                }
            }
            "fromdict" => {
                let mut keys: Vec<Value> = vec![];
                for v in self.values(&args[1..]) {
                    if !keys.contains(&v) {
                        keys.push(v);
                    }
                }
                let mut t = SetTable::new();
                t.extend_reserved(keys.into_iter().map(|k| (hash(&k), k)), eq)
                    .unwrap();
                t
            }
            "fromset" | "copy" => self.set(b).copy(),
            "items" => {
                let values = parse_values(&args[1..]);
                self.lists.insert(a.to_string(), values);
                return None;
            }
            "add" | "discard" | "remove" | "pop" | "clear" | "extend" => {
                let mut t = self.take(a);
                let values = self.values(&args[1..]);
                let mut mismatch = None;
                match op {
                    "add" => {
                        t.insert(hash(&values[0]), values[0].clone(), eq).unwrap();
                    }
                    "discard" => {
                        t.remove(hash(&values[0]), &values[0], eq).unwrap();
                    }
                    "remove" => {
                        if t.remove(hash(&values[0]), &values[0], eq)
                            .unwrap()
                            .is_none()
                        {
                            mismatch = Some(format!("remove {}: not found", args[1]));
                        }
                    }
                    "pop" => {
                        let got = t.pop();
                        if got.as_ref() != Some(&values[0]) {
                            mismatch = Some(format!("pop: got {got:?}, CPython {}", args[1]));
                        }
                    }
                    "clear" => t.clear(),
                    _ => t.extend(hashed(&values), eq).unwrap(),
                }
                self.sets.insert(a.to_string(), t);
                return mismatch;
            }
            "update" | "ior" | "iand" | "isub" | "ixor" => {
                let mut t = self.take(a);
                if a == b {
                    // CPython's special cases for `s op= s`.
                    match op {
                        "iand" => t.swap_contents(&mut t.copy()),
                        "isub" | "ixor" => t.clear(),
                        _ => {}
                    }
                } else {
                    let other = self.set(b);
                    match op {
                        "update" | "ior" => t.merge(other, eq),
                        "iand" => t.intersection_update(other, eq),
                        "isub" => t.difference_update(other, eq),
                        _ => t.symmetric_difference_update(other, eq),
                    }
                    .unwrap();
                }
                self.sets.insert(a.to_string(), t);
                return None;
            }
            "or" | "and" | "sub" | "xor" => {
                let (x, y) = (self.set(b), self.set(c));
                let same = b == c;
                match op {
                    "or" if same => x.copy(),
                    "and" if same => x.copy(),
                    "or" => x.union(y, eq).unwrap(),
                    "and" => x.intersection(y, eq).unwrap(),
                    "sub" => x.difference(y, eq).unwrap(),
                    _ => x.symmetric_difference(y, eq).unwrap(),
                }
            }
            "inter_iter" | "diff_iter" | "xor_iter" => {
                let (x, items) = (self.set(b), &self.lists[c]);
                match op {
                    "inter_iter" => x.intersection_iter(hashed(items), eq).unwrap(),
                    "diff_iter" => {
                        let mut t = x.copy();
                        t.difference_update_iter(hashed(items), eq).unwrap();
                        t
                    }
                    _ => {
                        let mut t = from_values(items);
                        t.symmetric_difference_update(x, eq).unwrap();
                        t
                    }
                }
            }
            "iand_iter" | "isub_iter" | "ixor_iter" => {
                let mut t = self.take(a);
                let items = &self.lists[b];
                match op {
                    "iand_iter" => {
                        let mut tmp = t.intersection_iter(hashed(items), eq).unwrap();
                        t.swap_contents(&mut tmp);
                    }
                    "isub_iter" => t.difference_update_iter(hashed(items), eq).unwrap(),
                    _ => t
                        .symmetric_difference_update(&from_values(items), eq)
                        .unwrap(),
                }
                self.sets.insert(a.to_string(), t);
                return None;
            }
            "expect" => return self.expect(a, &args[1..]),
            "fhash" => {
                let got = self.set(a).frozenset_hash();
                return (got.to_string() != b)
                    .then(|| format!("hash(frozenset({a})) = {got}, CPython {b}"));
            }
            _ => panic!("unknown step {op:?}"),
        };
        self.sets.insert(a.to_string(), result);
        None
    }

    fn expect(&self, name: &str, fields: &[&str]) -> Option<String> {
        let t = self.set(name);
        let mut got = String::new();
        for (k, v) in t.iter().enumerate() {
            if k > 0 {
                got.push(' ');
            }
            format_value(v, &mut got);
        }
        let slots: usize = fields[0].parse().unwrap();
        let matches = match fields.get(1) {
            Some(digest) if digest.starts_with('#') => {
                let ours = format!("#{}:{:016x}", t.len(), fnv1a64(got.as_bytes()));
                ours == *digest
            }
            _ => got == fields[1..].join(" "),
        };
        if matches && slots == t.capacity() {
            return None;
        }
        let shown: String = got.chars().take(300).collect();
        Some(format!(
            "{name}: {} slots [{shown}], CPython {slots} slots [{}]",
            t.capacity(),
            fields[1..].join(" ").chars().take(300).collect::<String>()
        ))
    }
}

#[test]
fn table_cpython_set_orders() {
    let mut failures = vec![];
    let (mut programs, mut checks) = (0, 0);
    let mut name = "";
    let mut program = Program::default();
    for (n, line) in CASES.lines().enumerate() {
        if line.starts_with('#') || line.starts_with("hash ") {
            continue;
        }
        let fields: Vec<&str> = line.split(' ').collect();
        if fields[0] == "case" {
            name = fields[1];
            program = Program::default();
            programs += 1;
            continue;
        }
        if matches!(fields[0], "expect" | "pop" | "fhash") {
            checks += 1;
        }
        if let Some(mismatch) = program.step(fields[0], &fields[1..]) {
            failures.push(format!("line {} (case {name}): {mismatch}", n + 1));
        }
    }
    assert!(
        programs > 900 && checks > 5000,
        "{programs} programs, {checks} checks"
    );
    assert!(
        failures.is_empty(),
        "{} of {checks} checks in {programs} programs differ from CPython:\n{}",
        failures.len(),
        failures
            .iter()
            .take(60)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
