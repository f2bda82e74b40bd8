//! `Str`: the body of a Python `str` — UTF-8 text with its length in characters and a
//! cached hash. Indexing is by character, O(1) for ASCII text.

use std::cell::Cell;
use std::rc::Rc;

thread_local! {
    /// The one-character strings of Latin-1, shared as CPython shares them: iterating,
    /// indexing and splitting text into single characters allocates nothing.
    static LATIN1: [Rc<Str>; 256] =
        std::array::from_fn(|i| Rc::new(Str::new(char::from(i as u8).to_string())));
    /// The empty string, shared likewise.
    static EMPTY: Rc<Str> = Rc::new(Str::new(String::new()));
}

/// The string holding just `c`: a shared one for Latin-1 characters, else a new one.
#[inline]
pub fn char_str(c: char) -> Rc<Str> {
    if (c as u32) < 256 {
        LATIN1.with(|t| t[c as usize].clone())
    } else {
        Rc::new(Str::new(c.to_string()))
    }
}

/// A string holding `text`: the shared one when `text` is empty or a single Latin-1
/// character.
#[inline]
pub fn str_of(text: &str) -> Rc<Str> {
    let mut cs = text.chars();
    match (cs.next(), cs.next()) {
        (Some(c), None) if (c as u32) < 256 => char_str(c),
        (None, _) => EMPTY.with(Rc::clone),
        _ => Rc::new(Str::new(text.to_string())),
    }
}

/// [`str_of`] for text known to be ASCII (a piece cut from an ASCII string): no pass over
/// it to count its characters.
#[inline]
pub(crate) fn ascii_str_of(text: &str) -> Rc<Str> {
    debug_assert!(text.is_ascii());
    match text.len() {
        0 => EMPTY.with(Rc::clone),
        1 => LATIN1.with(|t| t[text.as_bytes()[0] as usize].clone()),
        n => Rc::new(Str::with_chars(text.to_owned(), n)),
    }
}

/// The decimal text of `i`, as `str(i)` and `repr(i)` give it.
#[inline]
pub fn int_text(i: i64) -> Str {
    let mut buf = itoa::Buffer::new();
    let digits = buf.format(i);
    Str::with_chars(digits.to_owned(), digits.len())
}

/// A Python string: immutable once shared (only `s += t` on a string nothing else holds
/// grows it in place, `Str::push_str`).
pub struct Str {
    /// Kept as a `String`: shrinking every built string to a `Box<str>` cost a `realloc`.
    text: String,
    chars: usize,
    hash: Cell<i64>,
    /// This is its VM's interned copy ([`Interner`](crate::intern::Interner)). Costs no
    /// memory: `Rc<Str>`'s block stays in the allocator's 64-byte size class.
    interned: Cell<bool>,
}

impl Str {
    /// Wraps `text`, counting its characters.
    pub fn new(text: String) -> Str {
        let chars = if text.is_ascii() {
            text.len()
        } else {
            text.chars().count()
        };
        Str::with_chars(text, chars)
    }

    /// Wraps `text` whose length in characters the caller knows (a concatenation's is
    /// the sum of its parts', a number's digits are ASCII): no pass over the text.
    #[inline]
    pub(crate) fn with_chars(mut text: String, chars: usize) -> Str {
        debug_assert_eq!(chars, text.chars().count());
        // Only a large excess capacity is given back.
        if text.capacity() - text.len() > text.len() / 4 + 16 {
            text.shrink_to_fit();
        }
        crate::embed::limits::buffer_alloc(text.len());
        Str {
            text,
            chars,
            hash: Cell::new(-1),
            interned: Cell::new(false),
        }
    }

    /// The text.
    #[inline]
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Length in characters (Python's `len`).
    #[inline]
    pub fn len(&self) -> usize {
        self.chars
    }

    /// True for `''`.
    pub fn is_empty(&self) -> bool {
        self.chars == 0
    }

    /// True when every character is ASCII (then byte and character indices agree).
    #[inline]
    pub fn is_ascii(&self) -> bool {
        self.chars == self.text.len()
    }

    /// Whether this is an interner's shared copy, so interning it again returns itself.
    #[inline]
    pub fn is_interned(&self) -> bool {
        self.interned.get()
    }

    /// Marks this as the interner's shared copy.
    pub(crate) fn set_interned(&self) {
        self.interned.set(true);
    }

    /// The hash (computed once).
    #[inline]
    pub fn hash(&self) -> i64 {
        let h = self.hash.get();
        if h != -1 {
            return h;
        }
        let h = if self.chars == self.text.len() {
            crate::hashing::hash_bytes(self.text.as_bytes())
        } else {
            crate::hashing::hash_str(&self.text)
        };
        self.hash.set(h);
        h
    }

    /// Appends `other` to this string, which nothing else may see yet (its one reference
    /// is the caller's, as `Rc::get_mut` proves): `s += t` on a string only a local holds
    /// grows it in place, as CPython's `unicode_concatenate` does, so a loop of `+=` is
    /// linear. Never on an interned string.
    pub(crate) fn push_str(&mut self, other: &Str) {
        debug_assert!(!self.interned.get());
        crate::embed::limits::buffer_free(self.text.len());
        self.text.push_str(&other.text);
        crate::embed::limits::buffer_alloc(self.text.len());
        self.chars += other.chars;
        self.hash.set(-1);
    }

    /// The byte offset of character `i` (`i <= len`).
    pub fn byte_offset(&self, i: usize) -> usize {
        if self.is_ascii() {
            i
        } else {
            self.text
                .char_indices()
                .nth(i)
                .map(|(b, _)| b)
                .unwrap_or(self.text.len())
        }
    }

    /// The character at index `i` (`i < len`).
    pub fn char_at(&self, i: usize) -> char {
        if self.is_ascii() {
            self.text.as_bytes()[i] as char
        } else {
            self.text.chars().nth(i).unwrap_or('\0')
        }
    }

    /// The characters `start..end` (character indices, clamped by the caller).
    pub fn substring(&self, start: usize, end: usize) -> &str {
        if self.is_ascii() {
            &self.text[start..end]
        } else {
            let a = self.byte_offset(start);
            let b = a + self.text[a..]
                .char_indices()
                .nth(end - start)
                .map(|(b, _)| b)
                .unwrap_or(self.text.len() - a);
            &self.text[a..b]
        }
    }
}

impl Drop for Str {
    #[inline]
    fn drop(&mut self) {
        crate::embed::limits::buffer_free(self.text.len());
    }
}

impl PartialEq for Str {
    fn eq(&self, other: &Str) -> bool {
        self.text == other.text
    }
}

impl std::fmt::Debug for Str {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", &self.text)
    }
}
