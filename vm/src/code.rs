//! Code objects: the compiled form of a module, class body, function or comprehension —
//! instructions with inline operands, constant and name tables, and a location table that
//! maps every instruction back to its source span.

use crate::str::Str;
use crate::value::Value;
use std::rc::Rc;

/// Binary operators (also the in-place forms), in CPython's `NB_*` order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum BinOp {
    /// `+`
    Add,
    /// `&`
    And,
    /// `//`
    FloorDiv,
    /// `<<`
    LShift,
    /// `@`
    MatMul,
    /// `*`
    Mul,
    /// `%`
    Rem,
    /// `|`
    Or,
    /// `**`
    Pow,
    /// `>>`
    RShift,
    /// `-`
    Sub,
    /// `/`
    TrueDiv,
    /// `^`
    Xor,
}

impl BinOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::And => "&",
            BinOp::FloorDiv => "//",
            BinOp::LShift => "<<",
            BinOp::MatMul => "@",
            BinOp::Mul => "*",
            BinOp::Rem => "%",
            BinOp::Or => "|",
            BinOp::Pow => "**",
            BinOp::RShift => ">>",
            BinOp::Sub => "-",
            BinOp::TrueDiv => "/",
            BinOp::Xor => "^",
        }
    }

    /// The dunder name of the operator (`__add__`).
    pub fn dunder(self) -> &'static str {
        match self {
            BinOp::Add => "__add__",
            BinOp::And => "__and__",
            BinOp::FloorDiv => "__floordiv__",
            BinOp::LShift => "__lshift__",
            BinOp::MatMul => "__matmul__",
            BinOp::Mul => "__mul__",
            BinOp::Rem => "__mod__",
            BinOp::Or => "__or__",
            BinOp::Pow => "__pow__",
            BinOp::RShift => "__rshift__",
            BinOp::Sub => "__sub__",
            BinOp::TrueDiv => "__truediv__",
            BinOp::Xor => "__xor__",
        }
    }

    /// The reflected dunder (`__radd__`).
    pub fn rdunder(self) -> &'static str {
        match self {
            BinOp::Add => "__radd__",
            BinOp::And => "__rand__",
            BinOp::FloorDiv => "__rfloordiv__",
            BinOp::LShift => "__rlshift__",
            BinOp::MatMul => "__rmatmul__",
            BinOp::Mul => "__rmul__",
            BinOp::Rem => "__rmod__",
            BinOp::Or => "__ror__",
            BinOp::Pow => "__rpow__",
            BinOp::RShift => "__rrshift__",
            BinOp::Sub => "__rsub__",
            BinOp::TrueDiv => "__rtruediv__",
            BinOp::Xor => "__rxor__",
        }
    }

    /// The in-place dunder (`__iadd__`).
    pub fn idunder(self) -> &'static str {
        match self {
            BinOp::Add => "__iadd__",
            BinOp::And => "__iand__",
            BinOp::FloorDiv => "__ifloordiv__",
            BinOp::LShift => "__ilshift__",
            BinOp::MatMul => "__imatmul__",
            BinOp::Mul => "__imul__",
            BinOp::Rem => "__imod__",
            BinOp::Or => "__ior__",
            BinOp::Pow => "__ipow__",
            BinOp::RShift => "__irshift__",
            BinOp::Sub => "__isub__",
            BinOp::TrueDiv => "__itruediv__",
            BinOp::Xor => "__ixor__",
        }
    }
}

/// Rich comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum CmpOp {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CmpOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }

    /// The dunder (`__lt__`).
    pub fn dunder(self) -> &'static str {
        match self {
            CmpOp::Lt => "__lt__",
            CmpOp::Le => "__le__",
            CmpOp::Eq => "__eq__",
            CmpOp::Ne => "__ne__",
            CmpOp::Gt => "__gt__",
            CmpOp::Ge => "__ge__",
        }
    }

    /// The operator with its operands swapped (`a < b` is `b > a`).
    pub fn swapped(self) -> CmpOp {
        match self {
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
            CmpOp::Eq => CmpOp::Eq,
            CmpOp::Ne => CmpOp::Ne,
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
        }
    }
}

/// Unary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum UnaryOp {
    /// `-x`
    Neg,
    /// `+x`
    Pos,
    /// `~x`
    Invert,
    /// `not x`
    Not,
}

/// One instruction: an opcode with its operand inline (8 bytes, tested). Jump targets are
/// instruction indices. The stack effects follow CPython 3.10's opcodes of the same names.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Instr {
    /// Does nothing.
    Nop,
    /// Pops the top.
    PopTop,
    /// Swaps the two top items.
    RotTwo,
    /// Lifts the second and third items one up, moves the top down to third.
    RotThree,
    /// Moves the top item down to fourth.
    RotFour,
    /// Duplicates the top.
    DupTop,
    /// Duplicates the two top items.
    DupTopTwo,
    /// Pushes `consts[i]`.
    LoadConst(u32),
    /// Pushes local `i`.
    LoadFast(u32),
    /// Pops into local `i`.
    StoreFast(u32),
    /// Unbinds local `i`.
    DeleteFast(u32),
    /// Pushes the content of cell `i`.
    LoadDeref(u32),
    /// Pops into cell `i`.
    StoreDeref(u32),
    /// Empties cell `i`.
    DeleteDeref(u32),
    /// Pushes cell `i` itself (to build a closure).
    LoadClosure(u32),
    /// In a class body: the class namespace first, then cell `i`.
    LoadClassDeref(u32),
    /// Pushes global `names[i]` (globals, then builtins).
    LoadGlobal(u32),
    /// Pops into global `names[i]`.
    StoreGlobal(u32),
    /// Deletes global `names[i]`.
    DeleteGlobal(u32),
    /// Pushes `names[i]` from locals, globals, builtins (module and class bodies).
    LoadName(u32),
    /// Pops into local namespace `names[i]`.
    StoreName(u32),
    /// Deletes `names[i]` from the local namespace.
    DeleteName(u32),
    /// Replaces the top with its attribute `names[i]`.
    LoadAttr(u32),
    /// `TOS.names[i] = TOS1`.
    StoreAttr(u32),
    /// `del TOS.names[i]`.
    DeleteAttr(u32),
    /// Replaces the top with (method, self) or (NULL, attribute) for `CallMethod`.
    LoadMethod(u32),
    /// Calls the pair pushed by `LoadMethod` with `n` positional arguments.
    CallMethod(u32),
    /// `TOS1[TOS]`.
    BinarySubscr,
    /// `TOS1[TOS] = TOS2`.
    StoreSubscr,
    /// `del TOS1[TOS]`.
    DeleteSubscr,
    /// `TOS1 op TOS`.
    Binary(BinOp),
    /// `TOS1 op= TOS`.
    Inplace(BinOp),
    /// `op TOS`.
    Unary(UnaryOp),
    /// `TOS1 op TOS`.
    Compare(CmpOp),
    /// `TOS1 is TOS` (`is not` when the flag is set).
    IsOp(bool),
    /// `TOS1 in TOS` (`not in` when the flag is set).
    ContainsOp(bool),
    /// Jumps to `i`.
    Jump(u32),
    /// Pops; jumps to `i` if false.
    PopJumpIfFalse(u32),
    /// Pops; jumps to `i` if true.
    PopJumpIfTrue(u32),
    /// Jumps to `i` keeping the top if false, else pops.
    JumpIfFalseOrPop(u32),
    /// Jumps to `i` keeping the top if true, else pops.
    JumpIfTrueOrPop(u32),
    /// Replaces the top with `iter(TOS)`.
    GetIter,
    /// Pushes `next(TOS)`, or pops the iterator and jumps to `i` when exhausted.
    ForIter(u32),
    /// Replaces the top with `TOS.__aiter__()`.
    GetAIter,
    /// Pushes the awaitable of `TOS.__anext__()`.
    GetANext,
    /// Ends an `async for` on `StopAsyncIteration` (TOS is the exception).
    EndAsyncFor,
    /// Builds a tuple of the `n` top items.
    BuildTuple(u32),
    /// Builds a list of the `n` top items.
    BuildList(u32),
    /// Builds a set of the `n` top items.
    BuildSet(u32),
    /// Builds a dict of `n` key/value pairs.
    BuildMap(u32),
    /// Builds a dict from `n` values and the key tuple on top.
    BuildConstKeyMap(u32),
    /// Concatenates `n` strings.
    BuildString(u32),
    /// Builds a slice of 2 or 3 items.
    BuildSlice(u32),
    /// Appends TOS to the list at depth `i` (comprehensions).
    ListAppend(u32),
    /// Adds TOS to the set at depth `i`.
    SetAdd(u32),
    /// Sets TOS1: TOS in the dict at depth `i`.
    MapAdd(u32),
    /// Extends the list at depth `i` by the iterable TOS.
    ListExtend(u32),
    /// Updates the set at depth `i` with the iterable TOS.
    SetUpdate(u32),
    /// Updates the dict at depth `i` with the mapping TOS (`{**m}`).
    DictUpdate(u32),
    /// Like `DictUpdate`, rejecting duplicate keys (`f(**m)`).
    DictMerge(u32),
    /// Replaces the list on top with a tuple.
    ListToTuple,
    /// `f(*x)` with no other positional argument: replaces `x` on top with a tuple of its
    /// items; the callee below it names the call in the error for a non-iterable.
    StarArgs,
    /// Unpacks TOS into `n` items, first item on top.
    UnpackSequence(u32),
    /// Unpacks with a starred target: low byte = before, high bits = after.
    UnpackEx(u32),
    /// Calls with `n` positional arguments.
    Call(u32),
    /// Calls with `n` arguments, the last of them keywords named by the tuple on top.
    CallKw(u32),
    /// Calls the pair pushed by `LoadMethod` with `n` arguments, the last of them keywords
    /// named by the tuple on top (`obj.m(x, k=v)`; CPython's `KW_NAMES` + `CALL`).
    CallMethodKw(u32),
    /// Calls with an argument tuple (and a kwargs dict when the flag is set).
    CallEx(bool),
    /// Makes a function from the code on top; operand bits: 1 defaults, 2 kwdefaults,
    /// 4 annotations (discarded), 8 closure.
    MakeFunction(u32),
    /// Pushes `__build_class__`.
    LoadBuildClass,
    /// Returns TOS.
    ReturnValue,
    /// Pushes an exception handler block jumping to `i`.
    SetupFinally(u32),
    /// Replaces the top (a context manager) with its bound `__exit__`, its `__enter__` and
    /// itself, for `CallMethod(0)` to enter it (a script `__enter__` then runs as a pushed
    /// frame, and a blocking native one can park a thread).
    BeforeWith,
    /// Pushes the handler block `i` of a `with` whose `__enter__` was called (or an `async
    /// with` whose `__aenter__` was awaited): the stack is `[exit, entered]`, and the block's
    /// level sits below `entered`.
    SetupWith(u32),
    /// Replaces the top with `__aexit__` and the awaitable of `__aenter__()`.
    BeforeAsyncWith,
    /// Pops a handler block.
    PopBlock,
    /// Leaves an `except` body: pops its handler block and the exception.
    PopExcept,
    /// Re-raises the exception on top.
    Reraise,
    /// `raise` (0), `raise exc` (1), `raise exc from cause` (2).
    Raise(u32),
    /// Pops the class; jumps to `i` unless the exception below matches it.
    JumpIfNotExcMatch(u32),
    /// Calls `__exit__(type, exc, tb)` during exception handling; pushes its result.
    WithExceptStart,
    /// Yields TOS.
    YieldValue,
    /// Replaces TOS with `iter(TOS)` unless it is a generator or coroutine.
    GetYieldFromIter,
    /// Sends TOS into the iterator below until it returns; pushes the return value.
    YieldFrom,
    /// Replaces TOS with its awaitable iterator (`__await__`); operand: 0 await,
    /// 1 `__aenter__`, 2 `__aexit__`.
    GetAwaitable(u32),
    /// `import names[i]`: pops fromlist and level.
    ImportName(u32),
    /// Pushes attribute `names[i]` of the module on top.
    ImportFrom(u32),
    /// `from module import *`.
    ImportStar,
    /// Formats TOS for an f-string: low 2 bits conversion (0 none, 1 str, 2 repr, 3 ascii),
    /// bit 2: a format spec is on top.
    FormatValue(u32),
    /// Pushes `AssertionError`.
    LoadAssertionError,
    /// Pushes the `except*` helper N (0: prepare, 1: split, 2: finish; see
    /// `Vm::except_star_helpers`), a native function no script name reaches.
    LoadExceptStarHelper(u32),
    /// Creates `__annotations__` in a module or class namespace.
    SetupAnnotations,
    /// Echoes TOS in the REPL (`repr` unless `None`) and binds `_`.
    PrintExpr,
    /// Pushes `len(TOS)`.
    GetLen,
    /// Pushes whether TOS is a mapping (for `match`).
    MatchMapping,
    /// Pushes whether TOS is a sequence (for `match`).
    MatchSequence,
    /// Pushes a tuple of the values for the key tuple TOS in the mapping TOS1, or `None`.
    MatchKeys,
    /// Class pattern with `n` positional sub-patterns: TOS2 subject, TOS1 class,
    /// TOS keyword names; pushes a tuple of attributes or `None`.
    MatchClass(u32),
    /// Replaces TOS (key tuple) with a copy of the dict TOS1 without those keys.
    CopyDictWithoutKeys,

    // ---- superinstructions ------------------------------------------------------------
    // Each stands in for a pair of instructions: it replaces the first (the second stays in
    // place, so jumps to it still work) and runs both, then skips the second. The compiler
    // fuses them last ([`fuse_pairs`]); listings show the original pair ([`Instr::unfused`]).
    // The two operands of a pair are packed in one word ([`pack_pair`]): a variant with
    // two fields would make every dispatch decode another operand layout.
    /// `LoadFast(a)` then `LoadFast(b)`.
    LoadFastLoadFast(u32),
    /// `LoadFast(a)` then `LoadConst(b)`.
    LoadFastLoadConst(u32),
    /// `StoreFast(a)` then `LoadFast(b)`.
    StoreFastLoadFast(u32),
    /// `Compare(op)` then `PopJumpIfFalse(t)`.
    CompareJumpIfFalse(CmpOp, u32),
    /// `ForIter(t)` then `StoreFast(a)`: the next item goes straight to the local.
    ForIterStoreFast(u32),
    /// `ForIter(t)` then `StoreGlobal(n)` (a loop at module level).
    ForIterStoreGlobal(u32),
    /// `LoadFast(a)` then `LoadAttr(n)` (`self.x`).
    LoadFastLoadAttr(u32),
    /// `LoadFast(a)` then `StoreAttr(n)` (`self.x = v`).
    LoadFastStoreAttr(u32),
    /// `LoadFast(a)`, `LoadConst(k)`, then `Binary(op)` or `Inplace(op)` (`n - 1`, `i += 1`):
    /// a triple, both followers left in place. Small ints and floats are computed here;
    /// other operands are pushed and the operator instruction runs as usual.
    LoadFastConstBinary(BinOp, u32),
    /// `LoadFast(a)`, `LoadConst(k)`, `Compare(op)`, then `PopJumpIfFalse(t)` (`if n < 2:`,
    /// `while i < 10:`), the followers left in place (the jump target is read from the
    /// last). Small ints and floats are compared here; other operands are pushed and the
    /// comparison instruction runs as usual.
    LoadFastConstCompareJump(CmpOp, u32),
    /// `LoadFast(a)`, `LoadFast(b)`, then `Binary(op)` or `Inplace(op)` (`x * y`), as
    /// [`Instr::LoadFastConstBinary`] with a local for the constant.
    LoadFastLocalBinary(BinOp, u32),
    /// `LoadFast(a)`, `LoadFast(b)`, `Compare(op)`, then `PopJumpIfFalse(t)` (`while i < n:`),
    /// as [`Instr::LoadFastConstCompareJump`] with a local for the constant.
    LoadFastLocalCompareJump(CmpOp, u32),
    /// `LoadConst(k)` then `Binary(op)` or `Inplace(op)` after any other operand (`g % 7`
    /// for a global `g`): the operator with a constant right operand.
    ConstBinary(BinOp, u32),
    /// `LoadConst(k)`, `Compare(op)`, then `PopJumpIfFalse(t)` or `PopJumpIfTrue(t)` after
    /// any other operand (`if self.x < 0 or self.x > 100:`), the followers left in place
    /// (the jump is read from the last). An int or float on top of the stack is compared
    /// here; anything else has the constant pushed and the comparison runs as usual.
    ConstCompareJump(CmpOp, u32),
    /// `LoadConst(k)` then `BinarySubscr` (`t[0]`, `d["key"]`): an exact list, tuple or
    /// dict indexed in place; anything else pushes the constant and subscripts as usual.
    ConstSubscr(u32),
    /// `LoadConst(k)` then `ReturnValue` (`return None`, the end of a body, `return True`).
    ReturnConst(u32),
    /// `LoadFast(a)` then `ReturnValue` (`return x`).
    ReturnFast(u32),
}

impl Instr {
    /// The instruction a superinstruction replaced (itself for any other).
    pub fn unfused(self) -> Instr {
        match self {
            Instr::LoadFastLoadFast(p)
            | Instr::LoadFastLoadConst(p)
            | Instr::LoadFastLoadAttr(p)
            | Instr::LoadFastStoreAttr(p)
            | Instr::LoadFastConstBinary(_, p)
            | Instr::LoadFastConstCompareJump(_, p)
            | Instr::LoadFastLocalBinary(_, p)
            | Instr::LoadFastLocalCompareJump(_, p) => Instr::LoadFast(unpack_pair(p).0 as u32),
            Instr::ConstBinary(_, k)
            | Instr::ConstSubscr(k)
            | Instr::ConstCompareJump(_, k)
            | Instr::ReturnConst(k) => Instr::LoadConst(k),
            Instr::ReturnFast(a) => Instr::LoadFast(a),
            Instr::ForIterStoreFast(p) | Instr::ForIterStoreGlobal(p) => {
                Instr::ForIter(unpack_pair(p).0 as u32)
            }
            Instr::StoreFastLoadFast(p) => Instr::StoreFast(unpack_pair(p).0 as u32),
            Instr::CompareJumpIfFalse(op, _) => Instr::Compare(op),
            i => i,
        }
    }
}

/// The operand of a superinstruction for operands `a` and `b` (`None` unless both fit in
/// 16 bits).
pub fn pack_pair(a: u32, b: u32) -> Option<u32> {
    (a <= 0xffff && b <= 0xffff).then_some(a | b << 16)
}

/// The two operands of a superinstruction.
#[inline(always)]
pub fn unpack_pair(p: u32) -> (usize, usize) {
    ((p & 0xffff) as usize, (p >> 16) as usize)
}

/// `BuildSet` operand flag: the items are constants (CPython builds such displays through a
/// frozenset constant, which decides their order).
pub const CONST_SET_FLAG: u32 = 1 << 31;

/// Where an instruction comes from: 1-based lines, 0-based character columns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Location {
    /// First line.
    pub line: u32,
    /// Last line.
    pub end_line: u32,
    /// First column.
    pub col: u32,
    /// Column after the last character.
    pub end_col: u32,
}

/// Code flags.
pub mod flags {
    /// The locals are fast slots, not a dictionary (every function's code).
    pub const OPTIMIZED: u32 = 0x01;
    /// The function takes `*args`.
    pub const VARARGS: u32 = 0x04;
    /// The function takes `**kwargs`.
    pub const VARKEYWORDS: u32 = 0x08;
    /// The body runs in a fresh local namespace (functions).
    pub const NEWLOCALS: u32 = 0x02;
    /// The function is defined inside another function.
    pub const NESTED: u32 = 0x10;
    /// Calling returns a generator.
    pub const GENERATOR: u32 = 0x20;
    /// Calling returns a coroutine.
    pub const COROUTINE: u32 = 0x80;
    /// A generator that `await` accepts (made by `types.coroutine`).
    pub const ITERABLE_COROUTINE: u32 = 0x100;
    /// Calling returns an async generator.
    pub const ASYNC_GENERATOR: u32 = 0x200;
    /// Compiled with top-level `await` allowed (REPL).
    pub const TOP_LEVEL_AWAIT: u32 = 0x2000;
}

/// A source file as code objects see it (for tracebacks).
pub struct SourceFile {
    /// The name shown in tracebacks.
    pub name: String,
    /// The text.
    pub text: String,
    /// Line starts, indexed on first use (a module loaded from frozen code may never need
    /// them): [`SourceFile::lines`].
    lines: std::cell::OnceCell<aio_lexer::LineIndex>,
    /// `name` as a `str`, made on first use (`co_filename`, logging's caller lookups).
    name_str: std::cell::OnceCell<Rc<Str>>,
}

impl SourceFile {
    /// A source file named `name` with `text`.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> SourceFile {
        SourceFile {
            name: name.into(),
            text: text.into(),
            lines: std::cell::OnceCell::new(),
            name_str: std::cell::OnceCell::new(),
        }
    }

    /// The line starts of the text.
    pub fn lines(&self) -> &aio_lexer::LineIndex {
        self.lines
            .get_or_init(|| aio_lexer::LineIndex::new(&self.text))
    }

    /// The name as a `str` value, one shared string per file.
    pub fn name_value(&self) -> Value {
        Value::Str(
            self.name_str
                .get_or_init(|| Rc::new(Str::new(self.name.clone())))
                .clone(),
        )
    }

    /// The location of a byte span.
    pub fn location(&self, span: aio_lexer::Span) -> Location {
        let a = self.lines().position(&self.text, span.start);
        let b = self.lines().position(&self.text, span.end);
        Location {
            line: a.line,
            col: a.column,
            end_line: b.line,
            end_col: b.column,
        }
    }
}

/// A compiled body.
#[derive(Clone)]
pub struct Code {
    /// `co_name`.
    pub name: Rc<Str>,
    /// `co_qualname`.
    pub qualname: Rc<Str>,
    /// The file it came from.
    pub source: Rc<SourceFile>,
    /// The instructions.
    pub instrs: Box<[Instr]>,
    /// One source span per instruction.
    pub spans: Box<[aio_lexer::Span]>,
    /// The docstring, or `None`.
    pub doc: Value,
    /// Constants.
    pub consts: Box<[Value]>,
    /// Global, attribute and imported names.
    pub names: Box<[Rc<Str>]>,
    /// Local variable names (parameters first).
    pub varnames: Box<[Rc<Str>]>,
    /// Locals captured by inner functions (cells).
    pub cellvars: Box<[Rc<Str>]>,
    /// Variables of enclosing functions (free).
    pub freevars: Box<[Rc<Str>]>,
    /// For each cell variable that is also a parameter, the parameter index.
    pub cell2arg: Box<[Option<u32>]>,
    /// Positional parameters (including positional-only).
    pub argcount: u32,
    /// Positional-only parameters.
    pub posonlyargcount: u32,
    /// Keyword-only parameters.
    pub kwonlyargcount: u32,
    /// `flags::*`.
    pub flags: u32,
    /// The deepest the value stack gets.
    pub max_stack: u32,
    /// The line of the `def`/`class` (or 1).
    pub firstlineno: u32,
    /// One [`GlobalCache`] per entry of `names`, used by `LoadGlobal`/`StoreGlobal`.
    pub global_cache: Box<[std::cell::Cell<GlobalCache>]>,
    /// One [`AttrCache`] per instruction, used by `LoadAttr`/`StoreAttr`.
    pub attr_cache: Box<[std::cell::Cell<AttrCache>]>,
}

/// What a `LoadAttr`/`StoreAttr` instruction learned about the class of the object it last
/// saw, valid while the class epoch is unchanged (`types::type_epoch`). For `LoadAttr`:
/// instances of the class are plain objects with a `__dict__` and the class has no
/// attribute of that name, so the attribute can only come from the instance dict. For
/// `StoreAttr`: in addition, the class uses `object.__setattr__`, so a store goes straight
/// into the instance dict. For `LoadMethod`: the class attribute is a plain function
/// (`method`), which the instance dict does not shadow. With `slot` set, instances have
/// `__slots__` storage and the name is the class's slot member number `pos`: loads and
/// stores go straight to that slot (`kind` says which of these entries it is).
#[derive(Clone, Copy, Debug, Default)]
pub struct AttrCache {
    /// The class epoch when filled (0: empty; epochs start at 1).
    pub epoch: u64,
    /// The class address.
    pub cls: usize,
    /// Where the name was last found in an instance dict (a hint, checked on use); the
    /// slot number for [`CacheKind::Slot`]; the namespace position for
    /// [`CacheKind::ClassValue`].
    pub pos: u32,
    /// What the entry says about the attribute.
    pub kind: CacheKind,
    /// `LoadMethod`: the address of the function found on the class (0: none). The class
    /// namespace keeps it alive while the epoch is unchanged: replacing or deleting it,
    /// or the collector clearing the class, starts a new epoch. [`CacheKind::ClassValue`]:
    /// the address of the class whose namespace holds the value. [`CacheKind::Append`]:
    /// the instance dict's version after the append.
    pub method: usize,
    /// [`CacheKind::Append`]: the instance dict's version before the append.
    /// [`CacheKind::TypeAttr`]: 1 when the value is a `staticmethod` whose function is
    /// the attribute, 0 when the value is the attribute itself. `LoadMethod` (and
    /// [`CacheKind::Method`]): the version of an instance dict seen not to shadow the
    /// method (dicts of one version have the same keys).
    pub version: u64,
}

/// Where a cached `LoadAttr`/`StoreAttr` finds the attribute.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CacheKind {
    /// In the instance dict (or a module's namespace): the class has no such attribute.
    #[default]
    Dict,
    /// In `__slots__` storage (or a namedtuple's items), number `pos`.
    Slot,
    /// A plain class attribute (a class-level default, a constant: not a descriptor), at
    /// position `pos` of the namespace of the class at `method`, unless the instance dict
    /// shadows it (`LoadAttr` only).
    ClassValue,
    /// `__dict__` of an instance whose class does not define it: the instance dict itself
    /// (`LoadAttr` only).
    InstanceDict,
    /// `__class__` of an instance whose class does not define it: the class itself
    /// (`LoadAttr` only).
    ClassOf,
    /// A script function of the class at `method`, bound to the instance when the instance
    /// dict does not shadow it (`LoadAttr` of a method that is not called right away).
    Method,
    /// A `property` (the object at `method`) whose getter is a script function, which
    /// `LoadAttr` runs as a frame (CPython 3.12's `LOAD_ATTR_PROPERTY`). A property is a
    /// data descriptor: the instance dict cannot shadow it.
    Property,
    /// `StoreAttr` into the instance dict, which last appended the name at position `pos`
    /// to a dict of version `version`, making it version `method`: a dict of version
    /// `version` has the same keys (the name is absent), so the store appends without a
    /// lookup and the dict takes version `method` (CPython's shared-key dicts, whose
    /// `STORE_ATTR_INSTANCE_VALUE` writes the slot the keys object gives the name).
    Append,
    /// An attribute of the class object itself (`Cls.attr`, CPython's `LOAD_ATTR_CLASS`):
    /// `cls` is the class's own address (not its metaclass's), and the value is at
    /// position `pos` of the namespace of the class at `method` in its MRO. Filled only
    /// when the metaclass neither defines the name nor `__getattribute__`, and the value
    /// needs no binding (a function, a plain value, a `staticmethod`'s function).
    TypeAttr,
    /// A `Call` of the class at `cls` (its own address) under metaclass `type` whose
    /// `__new__` is `object.__new__` and whose `__init__` is the script function at
    /// `method`: the run loop makes the instance and enters `__init__` without looking
    /// either up (CPython 3.13's `CALL_ALLOC_AND_ENTER_INIT`).
    ClassInit,
}

impl AttrCache {
    /// An entry for slot number `index` of instances of the class at address `cls`.
    pub(crate) fn for_slot(epoch: u64, cls: usize, index: u32) -> AttrCache {
        AttrCache {
            epoch,
            cls,
            pos: index,
            kind: CacheKind::Slot,
            method: 0,
            version: 0,
        }
    }

    /// Whether this entry was filled for `o`'s class in the current class epoch.
    #[inline]
    pub fn holds_for(&self, o: &crate::object::Object) -> bool {
        o.class_raw()
            .is_some_and(|c| std::rc::Rc::as_ptr(c) as usize == self.cls)
            && self.epoch == crate::types::type_epoch()
    }

    /// Whether this entry was filled for `o` itself (a class, in [`CacheKind::TypeAttr`]
    /// and [`CacheKind::ClassInit`] entries) in the current class epoch.
    #[inline(always)]
    pub fn holds_for_itself(&self, o: &crate::object::Object) -> bool {
        std::ptr::from_ref(o) as usize == self.cls && self.epoch == crate::types::type_epoch()
    }

    /// Empty caches for `n` instructions.
    pub fn table(n: usize) -> Box<[std::cell::Cell<AttrCache>]> {
        (0..n)
            .map(|_| std::cell::Cell::new(AttrCache::default()))
            .collect()
    }
}

/// Where `LoadGlobal`/`StoreGlobal` last found a name: valid while the globals dict (and,
/// for builtins, the builtins dict) still has the version it had then (dict versions are
/// unique per key layout, see `Dict::version`).
#[derive(Clone, Copy, Debug)]
pub struct GlobalCache {
    /// The globals' version when filled (`u64::MAX`: empty).
    pub globals_version: u64,
    /// The builtins' version when filled (only for names found in builtins).
    pub builtins_version: u64,
    /// The entry position in the dict the name was found in.
    pub pos: u32,
    /// Found in builtins rather than globals.
    pub in_builtins: bool,
}

impl GlobalCache {
    /// A cache that never matches.
    pub const EMPTY: GlobalCache = GlobalCache {
        globals_version: u64::MAX,
        builtins_version: u64::MAX,
        pos: 0,
        in_builtins: false,
    };

    /// Empty caches for `n` names.
    pub fn table(n: usize) -> Box<[std::cell::Cell<GlobalCache>]> {
        (0..n)
            .map(|_| std::cell::Cell::new(GlobalCache::EMPTY))
            .collect()
    }
}

impl Code {
    /// Number of fast locals.
    pub fn nlocals(&self) -> usize {
        self.varnames.len()
    }

    /// Number of cell and free variables.
    pub fn ncells(&self) -> usize {
        self.cellvars.len() + self.freevars.len()
    }

    /// True when a call with `n` positional arguments, and `ndefaults` defaults for the last
    /// parameters, binds them to the first locals with nothing else to do: no
    /// `*args`/`**kwargs`, keyword-only parameters, cell variables, and not a
    /// generator-like body; the parameters the call leaves out take their defaults.
    #[inline]
    pub fn binds_positionally(&self, n: usize, ndefaults: impl FnOnce() -> usize) -> bool {
        self.binds_positionally_unless(
            n,
            ndefaults,
            flags::GENERATOR | flags::COROUTINE | flags::ASYNC_GENERATOR,
        )
    }

    /// [`Code::binds_positionally`] for a generator, coroutine or async generator body
    /// (whose call makes the generator object around the frame).
    #[inline]
    pub fn gen_binds_positionally(&self, n: usize, ndefaults: impl FnOnce() -> usize) -> bool {
        self.is_generator_like() && self.binds_positionally_unless(n, ndefaults, 0)
    }

    #[inline(always)]
    fn binds_positionally_unless(
        &self,
        n: usize,
        ndefaults: impl FnOnce() -> usize,
        excluded: u32,
    ) -> bool {
        let argc = self.argcount as usize;
        (argc == n || (n < argc && n + ndefaults() >= argc))
            && self.flags & (flags::VARARGS | flags::VARKEYWORDS | excluded) == 0
            && self.kwonlyargcount == 0
    }

    /// True for generator, coroutine and async generator bodies.
    pub fn is_generator_like(&self) -> bool {
        self.flags & (flags::GENERATOR | flags::COROUTINE | flags::ASYNC_GENERATOR) != 0
    }

    /// The line of instruction `ip` (the `def` line past the end): [`Code::location`]'s
    /// line, without the columns.
    pub fn line(&self, ip: usize) -> u32 {
        match self.spans.get(ip) {
            Some(span) => self.source.lines().line(span.start),
            None => self.firstlineno,
        }
    }

    /// The source span of instruction `ip` as lines and columns (the `def` line past the
    /// end).
    pub fn location(&self, ip: usize) -> Location {
        match self.spans.get(ip) {
            Some(span) => self.source.location(*span),
            None => Location {
                line: self.firstlineno,
                end_line: self.firstlineno,
                ..Location::default()
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instruction_is_8_bytes() {
        assert_eq!(std::mem::size_of::<Instr>(), 8);
    }
}
