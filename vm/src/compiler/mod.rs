//! The compiler: scope analysis ([`symtable`]), code generation ([`codegen`]), peephole
//! passes ([`peephole`]), the checks of `case` patterns (`patterns`), the `SyntaxWarning`s of suspicious code ([`warnings`]) and the bytecode listing printed by `aio --dis` ([`dis`]).

pub mod codegen;
pub mod dis;
mod patterns;
pub mod peephole;
pub mod symtable;
pub mod warnings;

pub use codegen::{compile, Mode};
pub use warnings::CompileWarning;

use crate::code::Instr;

/// The net change of the value-stack depth when `i` runs (not jumping).
pub fn stack_effect(i: &Instr) -> i64 {
    use Instr::*;
    match *i {
        Nop | RotTwo | RotThree | RotFour | Jump(_) | GetIter | GetAIter | Unary(_)
        | LoadAttr(_) | ListToTuple | StarArgs | GetYieldFromIter | GetAwaitable(_)
        | FormatValue(0..=3) | PopBlock | YieldValue | SetupFinally(_) | CopyDictWithoutKeys => 0,
        // Fused after the stack depth is estimated; the pair's net effect.
        LoadFastLoadFast(..) | LoadFastLoadConst(..) => 2,
        StoreFastLoadFast(..) | ForIterStoreFast(..) | ForIterStoreGlobal(..) => 0,
        LoadFastLoadAttr(..) | LoadFastConstBinary(..) | LoadFastLocalBinary(..) => 1,
        ConstBinary(..) | ConstSubscr(_) | ReturnConst(_) | ReturnFast(_) => 0,
        LoadFastStoreAttr(..) | ConstCompareJump(..) => -1,
        CompareJumpIfFalse(..) => -2,
        LoadFastConstCompareJump(..) | LoadFastLocalCompareJump(..) => 0,
        PopTop | StoreFast(_) | StoreDeref(_) | StoreGlobal(_) | StoreName(_) | BinarySubscr
        | Binary(_) | Inplace(_) | Compare(_) | IsOp(_) | ContainsOp(_) | PopJumpIfFalse(_)
        | PopJumpIfTrue(_) | JumpIfFalseOrPop(_) | JumpIfTrueOrPop(_) | ListAppend(_)
        | SetAdd(_) | ListExtend(_) | SetUpdate(_) | DictUpdate(_) | DictMerge(_) | ReturnValue
        | PrintExpr | YieldFrom | Reraise | ImportStar | EndAsyncFor | PopExcept
        | FormatValue(_) => -1,
        DupTop
        | LoadConst(_)
        | LoadFast(_)
        | LoadDeref(_)
        | LoadClosure(_)
        | LoadClassDeref(_)
        | LoadGlobal(_)
        | LoadName(_)
        | LoadBuildClass
        | LoadAssertionError
        | ForIter(_)
        | LoadExceptStarHelper(_)
        | GetANext
        | ImportFrom(_)
        | GetLen
        | MatchMapping
        | MatchSequence
        | MatchKeys
        | LoadMethod(_)
        | BeforeAsyncWith
        | WithExceptStart => 1,
        SetupWith(_) => 0,
        BeforeWith => 2,
        DupTopTwo => 2,
        DeleteFast(_) | DeleteDeref(_) | DeleteGlobal(_) | DeleteName(_) | SetupAnnotations => 0,
        StoreAttr(_) => -2,
        DeleteAttr(_) => -1,
        StoreSubscr => -3,
        DeleteSubscr => -2,
        MapAdd(_) => -2,
        JumpIfNotExcMatch(_) => -2,
        BuildTuple(n) | BuildList(n) | BuildString(n) => 1 - n as i64,
        BuildSet(n) => 1 - (n & !crate::code::CONST_SET_FLAG) as i64,
        BuildMap(n) => 1 - 2 * n as i64,
        BuildConstKeyMap(n) => -(n as i64),
        BuildSlice(n) => 1 - n as i64,
        UnpackSequence(n) => n as i64 - 1,
        UnpackEx(n) => ((n & 0xff) + (n >> 8)) as i64,
        Call(n) => -(n as i64),
        CallKw(n) => -(n as i64) - 1,
        CallMethodKw(n) => -(n as i64) - 2,
        CallMethod(n) => -(n as i64) - 1,
        CallEx(kw) => -1 - kw as i64,
        MakeFunction(f) => -((f & 1 != 0) as i64 + (f & 2 != 0) as i64 + (f & 8 != 0) as i64),
        Raise(n) => -(n as i64),
        ImportName(_) => -1,
        MatchClass(_) => -2,
    }
}
