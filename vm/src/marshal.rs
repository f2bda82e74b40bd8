//! Code objects to bytes and back (what CPython's `marshal` does for `.pyc` files): how
//! the standard library is compiled once, when aio is built, and loaded without parsing
//! ([`crate::frozen`]).
//!
//! The format is private to one build of aio: a writer and its reader always come from the
//! same sources. Integers are LEB128 varints (signed ones zigzag-encoded); a string is its
//! length, its UTF-8 bytes and whether it was interned; each instruction is a tag byte and
//! at most one varint operand; spans are deltas from the previous instruction's.

use crate::code::{BinOp, CmpOp, Code, Instr, SourceFile, UnaryOp};
use crate::object::Payload;
use crate::str::Str;
use crate::value::Value;
use crate::vm::Vm;
use aio_lexer::Span;
use num_bigint::BigInt;
use std::collections::HashMap;
use std::rc::Rc;

/// Bytes that could not be read back as a code object (truncated, or not written by this
/// build's [`dump`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Corrupt;

/// A constant [`dump`] cannot write: only the kinds the compiler makes are supported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported(pub String);

/// `code` (with its nested code objects) as bytes for [`load`]. The source file is not
/// written: the loader supplies it.
pub fn dump(code: &Code) -> Result<Vec<u8>, Unsupported> {
    let mut w = Writer { out: Vec::new() };
    w.code(code)?;
    Ok(w.out)
}

/// The code object [`dump`] wrote to `bytes`, compiled from `source`: names and
/// identifier-like constants are interned in `vm`, `()` and `...` are its singletons.
pub fn load(vm: &mut Vm, bytes: &[u8], source: Rc<SourceFile>) -> Result<Rc<Code>, Corrupt> {
    let mut r = Reader {
        vm,
        bytes,
        pos: 0,
        source,
        bytes_consts: HashMap::new(),
    };
    let code = r.code()?;
    if r.pos != bytes.len() {
        return Err(Corrupt);
    }
    Ok(code)
}

// ---- instructions ------------------------------------------------------------------------

/// Defines the instruction codec once: each variant gets a tag (its position in the list);
/// a variant missing here is a compile error in `encode`.
macro_rules! instr_codec {
    (
        none: [$($n:ident),* $(,)?],
        word: [$($w:ident),* $(,)?],
        flag: [$($f:ident),* $(,)?],
        bin: [$($b:ident),* $(,)?],
        bin_word: [$($bw:ident),* $(,)?],
        cmp_word: [$($cw:ident),* $(,)?],
    ) => {
        #[repr(u8)]
        enum Tag { $($n,)* $($w,)* $($f,)* $($b,)* $($bw,)* $($cw,)* Unary, Compare, End }

        /// The tag and operand of `i`.
        fn encode(i: Instr) -> (u8, u64) {
            match i {
                $(Instr::$n => (Tag::$n as u8, 0),)*
                $(Instr::$w(x) => (Tag::$w as u8, u64::from(x)),)*
                $(Instr::$f(x) => (Tag::$f as u8, u64::from(x)),)*
                $(Instr::$b(op) => (Tag::$b as u8, op as u64),)*
                $(Instr::$bw(op, x) => (Tag::$bw as u8, u64::from(x) << 8 | op as u64),)*
                $(Instr::$cw(op, x) => (Tag::$cw as u8, u64::from(x) << 8 | op as u64),)*
                Instr::Unary(op) => (Tag::Unary as u8, op as u64),
                Instr::Compare(op) => (Tag::Compare as u8, op as u64),
            }
        }

        /// The instruction of `tag` with operand `x`.
        fn decode(tag: u8, x: u64) -> Result<Instr, Corrupt> {
            const TAGS: &[fn(u64) -> Result<Instr, Corrupt>] = &[
                $(|_| Ok(Instr::$n),)*
                $(|x| Ok(Instr::$w(u32::try_from(x).map_err(|_| Corrupt)?)),)*
                $(|x| Ok(Instr::$f(x != 0)),)*
                $(|x| Ok(Instr::$b(bin_op(x)?)),)*
                $(|x| Ok(Instr::$bw(
                    bin_op(x & 0xff)?,
                    u32::try_from(x >> 8).map_err(|_| Corrupt)?,
                )),)*
                $(|x| Ok(Instr::$cw(
                    cmp_op(x & 0xff)?,
                    u32::try_from(x >> 8).map_err(|_| Corrupt)?,
                )),)*
                |x| Ok(Instr::Unary(*UNARY_OPS.get(x as usize).ok_or(Corrupt)?)),
                |x| Ok(Instr::Compare(cmp_op(x & 0xff)?)),
            ];
            const _: () = assert!(TAGS.len() == Tag::End as usize);
            TAGS.get(usize::from(tag)).ok_or(Corrupt)?(x)
        }
    };
}

instr_codec! {
    none: [
        Nop, PopTop, RotTwo, RotThree, RotFour, DupTop, DupTopTwo, BinarySubscr, StoreSubscr,
        DeleteSubscr, GetIter, GetAIter, GetANext, EndAsyncFor, ListToTuple, StarArgs,
        LoadBuildClass, ReturnValue, BeforeWith, BeforeAsyncWith, PopBlock, PopExcept,
        Reraise, WithExceptStart, YieldValue, GetYieldFromIter, YieldFrom, ImportStar,
        LoadAssertionError, SetupAnnotations, PrintExpr, GetLen, MatchMapping, MatchSequence,
        MatchKeys, CopyDictWithoutKeys,
    ],
    word: [
        LoadConst, LoadFast, StoreFast, DeleteFast, LoadDeref, StoreDeref, DeleteDeref,
        LoadClosure, LoadClassDeref, LoadGlobal, StoreGlobal, DeleteGlobal, LoadName,
        StoreName, DeleteName, LoadAttr, StoreAttr, DeleteAttr, LoadMethod, CallMethod, Jump,
        PopJumpIfFalse, PopJumpIfTrue, JumpIfFalseOrPop, JumpIfTrueOrPop, ForIter,
        BuildTuple, BuildList, BuildSet, BuildMap, BuildConstKeyMap, BuildString, BuildSlice,
        ListAppend, SetAdd, MapAdd, ListExtend, SetUpdate, DictUpdate, DictMerge,
        UnpackSequence, UnpackEx, Call, CallKw, CallMethodKw, MakeFunction, SetupFinally,
        SetupWith, Raise, JumpIfNotExcMatch, GetAwaitable, ImportName, ImportFrom,
        FormatValue, LoadExceptStarHelper, MatchClass, LoadFastLoadFast, LoadFastLoadConst,
        StoreFastLoadFast, ForIterStoreFast, ForIterStoreGlobal, LoadFastLoadAttr, ConstSubscr,
        LoadFastStoreAttr, ReturnConst, ReturnFast,
    ],
    flag: [IsOp, ContainsOp, CallEx],
    bin: [Binary, Inplace],
    bin_word: [LoadFastConstBinary, LoadFastLocalBinary, ConstBinary],
    cmp_word: [
        CompareJumpIfFalse,
        LoadFastConstCompareJump,
        LoadFastLocalCompareJump,
        ConstCompareJump,
    ],
}

/// Every `BinOp`, in declaration order (its `u8` value is its index).
const BIN_OPS: [BinOp; 13] = [
    BinOp::Add,
    BinOp::And,
    BinOp::FloorDiv,
    BinOp::LShift,
    BinOp::MatMul,
    BinOp::Mul,
    BinOp::Rem,
    BinOp::Or,
    BinOp::Pow,
    BinOp::RShift,
    BinOp::Sub,
    BinOp::TrueDiv,
    BinOp::Xor,
];

/// Every `CmpOp`, in declaration order.
const CMP_OPS: [CmpOp; 6] = [
    CmpOp::Lt,
    CmpOp::Le,
    CmpOp::Eq,
    CmpOp::Ne,
    CmpOp::Gt,
    CmpOp::Ge,
];

/// Every `UnaryOp`, in declaration order.
const UNARY_OPS: [UnaryOp; 4] = [UnaryOp::Neg, UnaryOp::Pos, UnaryOp::Invert, UnaryOp::Not];

fn bin_op(x: u64) -> Result<BinOp, Corrupt> {
    BIN_OPS.get(x as usize).copied().ok_or(Corrupt)
}

fn cmp_op(x: u64) -> Result<CmpOp, Corrupt> {
    CMP_OPS.get(x as usize).copied().ok_or(Corrupt)
}

// ---- values ------------------------------------------------------------------------------

/// The kinds of constant the compiler makes.
#[derive(Clone, Copy)]
#[repr(u8)]
enum Kind {
    None,
    False,
    True,
    Int,
    Float,
    Str,
    Ellipsis,
    Bytes,
    BigInt,
    Complex,
    Tuple,
    EmptyTuple,
    Code,
}

const KINDS: [Kind; 13] = [
    Kind::None,
    Kind::False,
    Kind::True,
    Kind::Int,
    Kind::Float,
    Kind::Str,
    Kind::Ellipsis,
    Kind::Bytes,
    Kind::BigInt,
    Kind::Complex,
    Kind::Tuple,
    Kind::EmptyTuple,
    Kind::Code,
];

struct Writer {
    out: Vec<u8>,
}

impl Writer {
    fn uint(&mut self, mut v: u64) {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.out.push(b);
                return;
            }
            self.out.push(b | 0x80);
        }
    }

    fn int(&mut self, v: i64) {
        self.uint(((v << 1) ^ (v >> 63)) as u64);
    }

    fn bytes(&mut self, b: &[u8]) {
        self.uint(b.len() as u64);
        self.out.extend_from_slice(b);
    }

    fn str(&mut self, s: &Str) {
        self.out.push(u8::from(s.is_interned()));
        self.bytes(s.as_str().as_bytes());
    }

    fn strs(&mut self, v: &[Rc<Str>]) {
        self.uint(v.len() as u64);
        for s in v {
            self.str(s);
        }
    }

    fn kind(&mut self, k: Kind) {
        self.out.push(k as u8);
    }

    fn value(&mut self, v: &Value) -> Result<(), Unsupported> {
        match v {
            Value::None => self.kind(Kind::None),
            Value::Bool(b) => self.kind(if b.get() { Kind::True } else { Kind::False }),
            Value::Int(i) => {
                self.kind(Kind::Int);
                self.int(*i);
            }
            Value::Float(f) => {
                self.kind(Kind::Float);
                self.out.extend_from_slice(&f.get().to_bits().to_le_bytes());
            }
            Value::Str(s) => {
                self.kind(Kind::Str);
                self.str(s);
            }
            Value::Obj(o) => match &o.payload {
                Payload::Plain => self.kind(Kind::Ellipsis),
                Payload::Bytes(b) => {
                    self.kind(Kind::Bytes);
                    self.bytes(b);
                }
                Payload::Int(b) => {
                    self.kind(Kind::BigInt);
                    self.bytes(&b.to_signed_bytes_le());
                }
                Payload::Complex(re, im) => {
                    self.kind(Kind::Complex);
                    self.out.extend_from_slice(&re.to_bits().to_le_bytes());
                    self.out.extend_from_slice(&im.to_bits().to_le_bytes());
                }
                Payload::Tuple(items) if items.is_empty() => self.kind(Kind::EmptyTuple),
                Payload::Tuple(items) => {
                    self.kind(Kind::Tuple);
                    self.uint(items.len() as u64);
                    for i in items.iter() {
                        self.value(i)?;
                    }
                }
                Payload::Code(c) => {
                    self.kind(Kind::Code);
                    self.code(c)?;
                }
                _ => {
                    let class = o.class.as_ref().map_or("?".into(), crate::types::type_name);
                    return Err(Unsupported(format!("a '{class}' constant")));
                }
            },
        }
        Ok(())
    }

    fn code(&mut self, c: &Code) -> Result<(), Unsupported> {
        self.str(&c.name);
        self.str(&c.qualname);
        self.uint(c.instrs.len() as u64);
        for &i in c.instrs.iter() {
            let (tag, x) = encode(i);
            self.out.push(tag);
            if tag_has_operand(tag) {
                self.uint(x);
            }
        }
        let mut prev = 0i64;
        for s in c.spans.iter() {
            self.int(i64::from(s.start) - prev);
            self.uint(u64::from(s.end.saturating_sub(s.start)));
            prev = i64::from(s.start);
        }
        self.value(&c.doc)?;
        self.uint(c.consts.len() as u64);
        for v in c.consts.iter() {
            self.value(v)?;
        }
        self.strs(&c.names);
        self.strs(&c.varnames);
        self.strs(&c.cellvars);
        self.strs(&c.freevars);
        self.uint(c.cell2arg.len() as u64);
        for a in c.cell2arg.iter() {
            self.uint(a.map_or(0, |a| u64::from(a) + 1));
        }
        for n in [
            c.argcount,
            c.posonlyargcount,
            c.kwonlyargcount,
            c.flags,
            c.max_stack,
            c.firstlineno,
        ] {
            self.uint(u64::from(n));
        }
        Ok(())
    }
}

/// Whether instructions of `tag` carry an operand (all but the operand-less ones).
fn tag_has_operand(tag: u8) -> bool {
    tag > Tag::CopyDictWithoutKeys as u8
}

struct Reader<'a> {
    vm: &'a mut Vm,
    bytes: &'a [u8],
    pos: usize,
    source: Rc<SourceFile>,
    /// Equal bytes literals are one object, as in one compilation.
    bytes_consts: HashMap<Vec<u8>, Value>,
}

impl Reader<'_> {
    fn byte(&mut self) -> Result<u8, Corrupt> {
        let b = *self.bytes.get(self.pos).ok_or(Corrupt)?;
        self.pos += 1;
        Ok(b)
    }

    fn uint(&mut self) -> Result<u64, Corrupt> {
        let mut v = 0u64;
        let mut shift = 0;
        loop {
            let b = self.byte()?;
            if shift > 63 {
                return Err(Corrupt);
            }
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
            shift += 7;
        }
    }

    fn u32(&mut self) -> Result<u32, Corrupt> {
        u32::try_from(self.uint()?).map_err(|_| Corrupt)
    }

    fn len(&mut self) -> Result<usize, Corrupt> {
        let n = usize::try_from(self.uint()?).map_err(|_| Corrupt)?;
        // Every item takes at least a byte: a larger count is a corrupt one.
        if n > self.bytes.len() - self.pos {
            return Err(Corrupt);
        }
        Ok(n)
    }

    fn int(&mut self) -> Result<i64, Corrupt> {
        let u = self.uint()?;
        Ok((u >> 1) as i64 ^ -((u & 1) as i64))
    }

    fn f64(&mut self) -> Result<f64, Corrupt> {
        let end = self.pos + 8;
        let b = self.bytes.get(self.pos..end).ok_or(Corrupt)?;
        self.pos = end;
        Ok(f64::from_bits(u64::from_le_bytes(
            b.try_into().map_err(|_| Corrupt)?,
        )))
    }

    fn bytes(&mut self) -> Result<&[u8], Corrupt> {
        let n = self.len()?;
        let b = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(b)
    }

    fn str(&mut self) -> Result<Rc<Str>, Corrupt> {
        let interned = self.byte()? != 0;
        let n = self.len()?;
        let b = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        let s = std::str::from_utf8(b).map_err(|_| Corrupt)?;
        Ok(if interned {
            self.vm.interner.intern(s)
        } else {
            Rc::new(Str::new(s.to_string()))
        })
    }

    fn strs(&mut self) -> Result<Box<[Rc<Str>]>, Corrupt> {
        let n = self.len()?;
        (0..n).map(|_| self.str()).collect()
    }

    fn value(&mut self) -> Result<Value, Corrupt> {
        let kind = KINDS.get(usize::from(self.byte()?)).ok_or(Corrupt)?;
        Ok(match kind {
            Kind::None => Value::None,
            Kind::False => Value::bool(false),
            Kind::True => Value::bool(true),
            Kind::Int => Value::Int(self.int()?),
            Kind::Float => Value::float(self.f64()?),
            Kind::Str => Value::Str(self.str()?),
            Kind::Ellipsis => self.vm.ellipsis.clone(),
            Kind::Bytes => {
                let b = self.bytes()?.to_vec();
                let types = &self.vm.types;
                self.bytes_consts
                    .entry(b.clone())
                    .or_insert_with(|| crate::builtins::bytes_const(types, b))
                    .clone()
            }
            Kind::BigInt => {
                let b = BigInt::from_signed_bytes_le(self.bytes()?);
                crate::builtins::bigint_value(&self.vm.types, b)
            }
            Kind::Complex => {
                let (re, im) = (self.f64()?, self.f64()?);
                crate::builtins::complex_const(&self.vm.types, re, im)
            }
            Kind::Tuple => {
                let n = self.len()?;
                let items = (0..n)
                    .map(|_| self.value())
                    .collect::<Result<Vec<_>, _>>()?;
                crate::builtins::make_tuple_const(&self.vm.types, items)
            }
            Kind::EmptyTuple => self.vm.empty_tuple.clone(),
            Kind::Code => {
                let c = self.code()?;
                Value::Obj(crate::builtins::code_object(&self.vm.types, c))
            }
        })
    }

    fn code(&mut self) -> Result<Rc<Code>, Corrupt> {
        let name = self.str()?;
        let qualname = self.str()?;
        let n = self.len()?;
        let mut instrs = Vec::with_capacity(n);
        for _ in 0..n {
            let tag = self.byte()?;
            let x = if tag_has_operand(tag) {
                self.uint()?
            } else {
                0
            };
            instrs.push(decode(tag, x)?);
        }
        let mut spans = Vec::with_capacity(n);
        let mut prev = 0i64;
        for _ in 0..n {
            let start = prev + self.int()?;
            let len = self.u32()?;
            let start32 = u32::try_from(start).map_err(|_| Corrupt)?;
            spans.push(Span::new(start32, start32.checked_add(len).ok_or(Corrupt)?));
            prev = start;
        }
        let doc = self.value()?;
        let nconsts = self.len()?;
        let consts = (0..nconsts)
            .map(|_| self.value())
            .collect::<Result<Box<[_]>, _>>()?;
        let names = self.strs()?;
        let varnames = self.strs()?;
        let cellvars = self.strs()?;
        let freevars = self.strs()?;
        let ncells = self.len()?;
        let cell2arg = (0..ncells)
            .map(|_| Ok(self.u32()?.checked_sub(1)))
            .collect::<Result<Box<[_]>, Corrupt>>()?;
        let [argcount, posonlyargcount, kwonlyargcount, flags, max_stack, firstlineno] = [
            self.u32()?,
            self.u32()?,
            self.u32()?,
            self.u32()?,
            self.u32()?,
            self.u32()?,
        ];
        Ok(Rc::new(Code {
            global_cache: crate::code::GlobalCache::table(names.len()),
            attr_cache: crate::code::AttrCache::table(instrs.len()),
            name,
            qualname,
            source: self.source.clone(),
            instrs: instrs.into_boxed_slice(),
            spans: spans.into_boxed_slice(),
            doc,
            consts,
            names,
            varnames,
            cellvars,
            freevars,
            cell2arg,
            argcount,
            posonlyargcount,
            kwonlyargcount,
            flags,
            max_stack,
            firstlineno,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compiler::Mode;

    #[test]
    fn operator_tables_follow_declaration_order() {
        for (i, op) in BIN_OPS.iter().enumerate() {
            assert_eq!(*op as usize, i);
        }
        for (i, op) in CMP_OPS.iter().enumerate() {
            assert_eq!(*op as usize, i);
        }
        for (i, op) in UNARY_OPS.iter().enumerate() {
            assert_eq!(*op as usize, i);
        }
        for (i, k) in KINDS.iter().enumerate() {
            assert_eq!(*k as usize, i);
        }
    }

    const SOURCE: &str = r#"
"""Module doc."""
import os.path as p
from math import *
X = (1, -2, (3.5, -0.0), ..., (), b"ab", b"ab", 10**30, -99999999999999999999999, 2j, -1j)
S = {"a", "b"}
def f(a, /, b=1, *args, c, d=2, **kw):
    "Doc of f."
    def g():
        nonlocal a
        a += 1
        return a, b
    return [x * 2 for x in args if x is not None], {k: v for k, v in kw.items()}, g
class C(object):
    attr: int = 3
    async def m(self, q):
        async with q as r:
            async for i in r:
                await i
        return not q, ~q, -q
def gen():
    try:
        x = yield from range(3)
    except* ValueError as e:
        raise TypeError("x") from e
    finally:
        del x
    match X:
        case (1, *rest) if rest: pass
        case {"k": v, **others}: pass
        case C(attr=3) | [_, _]: pass
print(f"{X!r:>10} {S}", 'é', 'not an identifier', 'ident')
"#;

    fn listing(code: &Code) -> String {
        crate::compiler::dis::disassemble(code)
    }

    /// A code object read back from its bytes disassembles as the original does, and its
    /// strings are interned exactly where the compiler interned them.
    #[test]
    fn round_trip_keeps_every_instruction_constant_and_name() {
        let mut vm = Vm::new();
        let code = vm.compile_source(SOURCE, "m.aio", Mode::Exec).unwrap();
        let bytes = dump(&code).unwrap();
        let back = load(&mut vm, &bytes, code.source.clone()).unwrap();
        assert_eq!(listing(&code), listing(&back));
        assert_eq!(code.spans, back.spans);
        assert_eq!(dump(&back).unwrap(), bytes);
        assert!(back.names.iter().all(|n| n.is_interned()));
        let strs: Vec<_> = back
            .consts
            .iter()
            .filter_map(|c| match c {
                Value::Str(s) => Some((s.as_str().to_string(), s.is_interned())),
                _ => None,
            })
            .collect();
        assert!(strs.contains(&("ident".to_string(), true)));
        assert!(strs.contains(&("not an identifier".to_string(), false)));
    }

    #[test]
    fn truncated_or_altered_bytes_are_corrupt_not_a_panic() {
        let mut vm = Vm::new();
        let code = vm.compile_source(SOURCE, "m.aio", Mode::Exec).unwrap();
        let bytes = dump(&code).unwrap();
        for cut in [0, 1, bytes.len() / 2, bytes.len() - 1] {
            assert_eq!(
                load(&mut vm, &bytes[..cut], code.source.clone()).err(),
                Some(Corrupt)
            );
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(load(&mut vm, &longer, code.source.clone()).is_err());
        // Any single flipped byte either fails to load or loads something: never panics.
        for i in (0..bytes.len()).step_by(7) {
            let mut b = bytes.clone();
            b[i] ^= 0xff;
            let _ = load(&mut vm, &b, code.source.clone());
        }
    }
}
