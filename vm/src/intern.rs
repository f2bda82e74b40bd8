//! The interner: one shared `Str` per identifier, so attribute and global lookups compare
//! pointers before bytes and never rehash.

use crate::str::Str;
// hashbrown's default hasher (foldhash): far cheaper than SipHash for short names, and
// the keys are identifiers from the program, not attacker-chosen table keys.
use hashbrown::HashMap;
use std::rc::Rc;

/// Maps identifier text to its shared string.
#[derive(Default)]
pub struct Interner {
    map: HashMap<Box<str>, Rc<Str>>,
}

impl Interner {
    /// The shared string for `s`.
    pub fn intern(&mut self, s: &str) -> Rc<Str> {
        if let Some(v) = self.map.get(s) {
            return v.clone();
        }
        let v = Rc::new(Str::new(s.to_string()));
        v.set_interned();
        self.map.insert(s.into(), v.clone());
        v
    }

    /// The shared string equal to `s`: `s` itself when it is already an interned copy
    /// (of this or another VM's interner: lookups compare bytes after pointers).
    pub fn intern_str(&mut self, s: &Rc<Str>) -> Rc<Str> {
        if s.is_interned() {
            return s.clone();
        }
        self.intern(s.as_str())
    }

    /// Interns `s` when it looks like an identifier (as CPython interns such constants);
    /// otherwise makes a fresh string.
    pub fn intern_if_identifier(&mut self, s: &str) -> Rc<Str> {
        if s.len() <= 40 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            self.intern(s)
        } else {
            Rc::new(Str::new(s.to_string()))
        }
    }
}
