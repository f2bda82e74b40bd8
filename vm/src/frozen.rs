//! Frozen modules: code compiled when aio is built, found again by the text it was compiled
//! from. CPython 3.11 freezes its start-up modules the same way; aio freezes every module
//! of its standard library written in aio, so `import asyncio` loads code instead of
//! parsing ~10,000 lines.
//!
//! A table is one blob: a header, entries sorted by key, then each module's
//! [`marshal`](crate::marshal) bytes. A key is a 128-bit hash of the source text and its
//! length; [`Vm::exec_source_in`] looks every module's text up before compiling it, so a
//! source that changed since the table was built is compiled as usual.

use crate::vm::Vm;

const MAGIC: &[u8; 8] = b"AIOFRZ01";
/// Bytes per entry: key (two words), text length, offset and size of the code.
const ENTRY: usize = 8 * 5;

/// The modules the VM itself runs from aio source (the parts of `sys` written in aio, and
/// `__future__`), for a table's builder to freeze along with its own.
pub const VM_SOURCES: &[&str] = &[
    crate::builtins::sys::SYS_AIO,
    crate::builtins::future::FUTURE_AIO,
];

/// A table of frozen code, read in place from a `'static` blob ([`build`] wrote it).
#[derive(Clone, Copy)]
pub struct Frozen {
    entries: &'static [u8],
    data: &'static [u8],
}

/// The lookup key of a source text: two independent 64-bit hashes and the length.
pub fn text_key(text: &str) -> [u64; 3] {
    let b = text.as_bytes();
    let (mut h1, mut h2) = (0x243f_6a88_85a3_08d3u64, 0x1319_8a2e_0370_7344u64);
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes(c.try_into().expect("8 bytes"));
        h1 = (h1 ^ w).wrapping_mul(0x0000_0100_0000_01b3).rotate_left(23);
        h2 = (h2.rotate_left(17) ^ w).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
    for &x in chunks.remainder() {
        h1 = (h1 ^ u64::from(x)).wrapping_mul(0x0000_0100_0000_01b3);
        h2 = (h2 ^ u64::from(x)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
    [h1, h2, b.len() as u64]
}

/// A table of `(source text, marshalled code)` pairs, for [`Frozen::new`].
pub fn build<'a>(modules: impl IntoIterator<Item = (&'a str, Vec<u8>)>) -> Vec<u8> {
    let mut items: Vec<([u64; 3], Vec<u8>)> = modules
        .into_iter()
        .map(|(text, code)| (text_key(text), code))
        .collect();
    items.sort_by_key(|(k, _)| *k);
    items.dedup_by_key(|(k, _)| *k);
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&(items.len() as u64).to_le_bytes());
    let mut offset = 0u64;
    for (key, code) in &items {
        for w in key.iter().chain([&offset, &(code.len() as u64)]) {
            out.extend_from_slice(&w.to_le_bytes());
        }
        offset += code.len() as u64;
    }
    for (_, code) in items {
        out.extend_from_slice(&code);
    }
    out
}

impl Frozen {
    /// The table in `blob`, or `None` when it is not one [`build`] wrote.
    pub fn new(blob: &'static [u8]) -> Option<Frozen> {
        let rest = blob.strip_prefix(MAGIC)?;
        let n = usize::try_from(word(rest, 0)?).ok()?;
        let entries = rest.get(8..8 + n.checked_mul(ENTRY)?)?;
        let data = &rest[8 + entries.len()..];
        let t = Frozen { entries, data };
        (0..n).all(|i| t.code_at(i).is_some()).then_some(t)
    }

    /// How many modules the table holds.
    pub fn len(&self) -> usize {
        self.entries.len() / ENTRY
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The marshalled code compiled from exactly `text`, if the table has it.
    pub fn lookup(&self, text: &str) -> Option<&'static [u8]> {
        let key = text_key(text);
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            let k = self.key_at(mid);
            match k.cmp(&key) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return self.code_at(mid),
            }
        }
        None
    }

    fn key_at(&self, i: usize) -> [u64; 3] {
        let e = &self.entries[i * ENTRY..];
        [0, 1, 2].map(|j| word(e, j).expect("checked by new"))
    }

    fn code_at(&self, i: usize) -> Option<&'static [u8]> {
        let e = &self.entries[i * ENTRY..];
        let start = usize::try_from(word(e, 3)?).ok()?;
        let len = usize::try_from(word(e, 4)?).ok()?;
        self.data.get(start..start.checked_add(len)?)
    }
}

/// The little-endian word `i` of `b`.
fn word(b: &[u8], i: usize) -> Option<u64> {
    let w = b.get(i * 8..i * 8 + 8)?;
    Some(u64::from_le_bytes(w.try_into().ok()?))
}

impl Vm {
    /// Loads modules whose source is in `table` (a blob [`build`] wrote, usually embedded
    /// with `include_bytes!`) from their frozen code instead of compiling them. Returns
    /// whether `table` was a valid table; an invalid one changes nothing.
    pub fn set_frozen(&mut self, table: &'static [u8]) -> bool {
        match Frozen::new(table) {
            Some(t) => {
                self.frozen = Some(t);
                true
            }
            None => false,
        }
    }

    /// Drops the table [`Vm::set_frozen`] set: modules are compiled from source again.
    pub fn clear_frozen(&mut self) {
        self.frozen = None;
    }

    /// The frozen code for a module's `text`, named `filename` in tracebacks, when the
    /// table set by [`Vm::set_frozen`] has it.
    pub(crate) fn frozen_code(
        &mut self,
        text: &str,
        filename: &str,
    ) -> Option<std::rc::Rc<crate::code::Code>> {
        let bytes = self.frozen?.lookup(text)?;
        let file = std::rc::Rc::new(crate::code::SourceFile::new(filename, text));
        crate::marshal::load(self, bytes, file).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compiler::Mode;

    fn leak(v: Vec<u8>) -> &'static [u8] {
        Box::leak(v.into_boxed_slice())
    }

    #[test]
    fn a_table_finds_exactly_the_texts_it_was_built_from() {
        let mut vm = Vm::new();
        let texts = ["x = 1\n", "def f():\n    return 2\n", "y = 'a'\n"];
        let blob = build(texts.iter().map(|t| {
            let code = vm.compile_source(t, "t.aio", Mode::Exec).unwrap();
            (*t, crate::marshal::dump(&code).unwrap())
        }));
        let t = Frozen::new(leak(blob.clone())).unwrap();
        assert_eq!(t.len(), 3);
        for text in texts {
            assert!(t.lookup(text).is_some(), "{text:?}");
        }
        assert!(t.lookup("x = 2\n").is_none());
        assert!(t.lookup("x = 1\n\n").is_none());
        assert!(Frozen::new(leak(blob[..blob.len() - 1].to_vec())).is_none());
        assert!(Frozen::new(b"AIOFRZ00").is_none());
    }

    /// A module whose text is in the table runs the table's code (here, deliberately, the
    /// code of a different text: `X` shows which ran); tracebacks name the file the module
    /// was loaded as and show its source lines.
    #[test]
    fn exec_source_in_runs_frozen_code_with_the_callers_file_name() {
        let mut vm = Vm::new();
        let compiled = "def boom():\n    return 1 / 0\nX = 42\n";
        let shown = "def boom():\n    return 1 / 0\nX = 41\n";
        let code = vm
            .compile_source(compiled, "built.aio", Mode::Exec)
            .unwrap();
        let blob = build([(shown, crate::marshal::dump(&code).unwrap())]);
        assert!(vm.set_frozen(leak(blob)));
        let m = vm.new_module("m");
        let g = vm.module_globals(&m).unwrap();
        vm.guarded(|vm| vm.exec_source_in(shown, "m.aio", &g))
            .unwrap();
        vm.set_global("m", crate::Value::Obj(m));
        vm.exec("x = m.X").unwrap();
        assert_eq!(vm.get_global::<i64>("x").unwrap(), 42);
        let err = vm.exec("m.boom()").unwrap_err().to_string();
        assert!(
            err.contains("File \"m.aio\", line 2, in boom\n    return 1 / 0"),
            "{err}"
        );
        assert!(!vm.set_frozen(b"not a table"));
    }
}
