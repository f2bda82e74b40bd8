//! Peephole passes over a finished unit's instructions. They rewrite instructions in
//! place and never move one, so jump targets, the line table and the per-instruction
//! caches keep their positions.

use crate::code::{pack_pair, Instr};

/// Jump threading, as CPython's peephole optimizer: a conditional jump whose target is
/// another conditional jump on the same value goes straight to where that one leads. For
/// `if a or b:` the value of `a` is then tested once (`__bool__` runs once, as in CPython),
/// and a jump to an unconditional jump goes to its target.
pub fn thread_jumps(instrs: &mut [Instr]) {
    use Instr::*;
    // Chains (`a or b or c`) take one round per link; bounded for safety.
    for _ in 0..8 {
        let mut changed = false;
        for i in 0..instrs.len() {
            let next = |t: u32| instrs.get(t as usize).copied();
            let threaded = match instrs[i] {
                JumpIfTrueOrPop(t) => match next(t) {
                    // True: the second test would not jump; go on after it.
                    Some(PopJumpIfFalse(_)) => Some(PopJumpIfTrue(t + 1)),
                    Some(PopJumpIfTrue(u)) => Some(PopJumpIfTrue(u)),
                    Some(JumpIfTrueOrPop(u)) if u != t => Some(JumpIfTrueOrPop(u)),
                    _ => None,
                },
                JumpIfFalseOrPop(t) => match next(t) {
                    Some(PopJumpIfTrue(_)) => Some(PopJumpIfFalse(t + 1)),
                    Some(PopJumpIfFalse(u)) => Some(PopJumpIfFalse(u)),
                    Some(JumpIfFalseOrPop(u)) if u != t => Some(JumpIfFalseOrPop(u)),
                    _ => None,
                },
                Jump(t) => match next(t) {
                    Some(Jump(u)) if u != t => Some(Jump(u)),
                    _ => None,
                },
                PopJumpIfFalse(t) => match next(t) {
                    Some(Jump(u)) if u != t => Some(PopJumpIfFalse(u)),
                    _ => None,
                },
                PopJumpIfTrue(t) => match next(t) {
                    Some(Jump(u)) if u != t => Some(PopJumpIfTrue(u)),
                    _ => None,
                },
                _ => None,
            };
            // Only an unconditional `Jump` may lead backwards: loop back-edges are where the
            // interpreter checks for Ctrl-C and the host's limits.
            let backwards = |j: &Instr| match *j {
                Jump(_) => false,
                j => super::dis::jump_target(&j).is_some_and(|t| t as usize <= i),
            };
            if let Some(j) = threaded.filter(|j| !backwards(j)) {
                if j != instrs[i] {
                    instrs[i] = j;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
}

/// A jump to a `ReturnValue` returns where it stands (the value is already on the stack),
/// as CPython's optimizer copies a small exit block into each jump to it.
pub fn return_in_place(instrs: &mut [Instr]) {
    for i in 0..instrs.len() {
        if let Instr::Jump(t) = instrs[i] {
            if instrs.get(t as usize) == Some(&Instr::ReturnValue) {
                instrs[i] = Instr::ReturnValue;
            }
        }
    }
}

/// Checks what the dispatch loop relies on to read instructions without bounds checks:
/// every jump target is inside the body, and the last instruction does not fall through.
/// A failure is a compiler bug, reported here rather than as a wild read at run time.
pub fn assert_closed(instrs: &[Instr]) {
    let n = instrs.len();
    assert!(
        instrs
            .iter()
            .filter_map(super::dis::jump_target)
            .all(|t| (t as usize) < n),
        "a jump leaves the body"
    );
    assert!(
        matches!(
            instrs.last(),
            Some(Instr::ReturnValue | Instr::Jump(_) | Instr::Raise(_) | Instr::Reraise)
        ),
        "the body falls off its end"
    );
}

/// Replaces the first of each fusable pair of adjacent instructions with the
/// superinstruction for both (see [`Instr::LoadFastLoadFast`]). The second of a pair stays,
/// so jump targets, the line table and the instruction caches keep their positions.
pub fn fuse_pairs(instrs: &mut [Instr]) {
    for i in 0..instrs.len().saturating_sub(1) {
        if let Some(f) = fuse_local_const_op(&instrs[i..]) {
            instrs[i] = f;
            continue;
        }
        // `self.x = v` for a local `v`: the second load fuses with the store instead.
        if let (Instr::LoadFast(_), Instr::LoadFast(_), Some(Instr::StoreAttr(_))) =
            (instrs[i], instrs[i + 1], instrs.get(i + 2))
        {
            continue;
        }
        let fused = match (instrs[i], instrs[i + 1]) {
            (Instr::LoadFast(a), Instr::LoadFast(b)) => {
                pack_pair(a, b).map(Instr::LoadFastLoadFast)
            }
            (Instr::LoadFast(a), Instr::LoadConst(b)) => {
                pack_pair(a, b).map(Instr::LoadFastLoadConst)
            }
            (Instr::StoreFast(a), Instr::LoadFast(b)) => {
                pack_pair(a, b).map(Instr::StoreFastLoadFast)
            }
            (Instr::Compare(op), Instr::PopJumpIfFalse(t)) => {
                Some(Instr::CompareJumpIfFalse(op, t))
            }
            (Instr::ForIter(t), Instr::StoreFast(a)) => {
                pack_pair(t, a).map(Instr::ForIterStoreFast)
            }
            (Instr::ForIter(t), Instr::StoreGlobal(n)) => {
                pack_pair(t, n).map(Instr::ForIterStoreGlobal)
            }
            (Instr::LoadFast(a), Instr::LoadAttr(n)) => {
                pack_pair(a, n).map(Instr::LoadFastLoadAttr)
            }
            (Instr::LoadFast(a), Instr::StoreAttr(n)) => {
                pack_pair(a, n).map(Instr::LoadFastStoreAttr)
            }
            (Instr::LoadConst(k), Instr::Compare(op))
                if matches!(
                    instrs.get(i + 2),
                    Some(Instr::PopJumpIfFalse(_) | Instr::PopJumpIfTrue(_))
                ) =>
            {
                Some(Instr::ConstCompareJump(op, k))
            }
            (Instr::LoadConst(k), Instr::Binary(op) | Instr::Inplace(op)) => {
                Some(Instr::ConstBinary(op, k))
            }
            (Instr::LoadConst(k), Instr::BinarySubscr) => Some(Instr::ConstSubscr(k)),
            (Instr::LoadConst(k), Instr::ReturnValue) => Some(Instr::ReturnConst(k)),
            (Instr::LoadFast(a), Instr::ReturnValue) => Some(Instr::ReturnFast(a)),
            _ => None,
        };
        if let Some(f) = fused {
            instrs[i] = f;
        }
    }
}

/// The superinstruction for a local, a constant or local, and the operator after them at
/// the start of `instrs` (`n - 1`, `x * y`, `i < 10` as a jump condition), if they are
/// such a run.
fn fuse_local_const_op(instrs: &[Instr]) -> Option<Instr> {
    let [Instr::LoadFast(a), second, next, rest @ ..] = instrs else {
        return None;
    };
    let (local, p) = match *second {
        Instr::LoadConst(k) => (false, pack_pair(*a, k)?),
        Instr::LoadFast(b) => (true, pack_pair(*a, b)?),
        _ => return None,
    };
    match (*next, rest.first(), local) {
        (Instr::Binary(op) | Instr::Inplace(op), _, false) => {
            Some(Instr::LoadFastConstBinary(op, p))
        }
        (Instr::Binary(op) | Instr::Inplace(op), _, true) => {
            Some(Instr::LoadFastLocalBinary(op, p))
        }
        (Instr::Compare(op), Some(Instr::PopJumpIfFalse(_)), false) => {
            Some(Instr::LoadFastConstCompareJump(op, p))
        }
        (Instr::Compare(op), Some(Instr::PopJumpIfFalse(_)), true) => {
            Some(Instr::LoadFastLocalCompareJump(op, p))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::code::{BinOp, CmpOp};

    #[test]
    fn or_in_a_condition_tests_each_value_once() {
        use Instr::*;
        // `if a or b: X else: Y`, then a jump to a jump.
        let mut instrs = vec![
            LoadFast(0),
            JumpIfTrueOrPop(3),
            LoadFast(1),
            PopJumpIfFalse(6),
            Nop, // X
            Jump(8),
            Nop, // Y
            Jump(5),
            ReturnValue,
        ];
        thread_jumps(&mut instrs);
        assert_eq!(instrs[1], PopJumpIfTrue(4));
        assert_eq!(instrs[3], PopJumpIfFalse(6));
        assert_eq!(instrs[7], Jump(8));
    }

    #[test]
    fn a_jump_to_a_return_returns_in_place() {
        use Instr::*;
        // `return a if c else b`: the first branch jumps to the shared return.
        let mut instrs = vec![
            LoadFast(0),
            PopJumpIfFalse(4),
            LoadFast(1),
            Jump(5),
            LoadFast(2),
            ReturnValue,
        ];
        return_in_place(&mut instrs);
        assert_eq!(instrs[3], ReturnValue);
        assert_eq!(instrs[1], PopJumpIfFalse(4));
        assert_closed(&instrs);
    }

    #[test]
    #[should_panic(expected = "a jump leaves the body")]
    fn a_jump_out_of_the_body_is_a_compiler_bug() {
        use Instr::*;
        assert_closed(&[LoadFast(0), PopJumpIfFalse(7), ReturnValue]);
    }

    #[test]
    #[should_panic(expected = "the body falls off its end")]
    fn a_body_that_falls_off_its_end_is_a_compiler_bug() {
        use Instr::*;
        assert_closed(&[LoadFast(0), PopTop]);
    }

    #[test]
    fn a_conditional_jump_is_not_threaded_into_a_loop_back_edge() {
        use Instr::*;
        // `while True: if a: X` — the test's false branch reaches the back-edge `Jump`.
        let mut instrs = vec![LoadFast(0), PopJumpIfFalse(3), Nop, Jump(0), ReturnValue];
        thread_jumps(&mut instrs);
        assert_eq!(instrs[1], PopJumpIfFalse(3));
    }

    #[test]
    fn and_in_a_condition_jumps_straight_to_the_else() {
        use Instr::*;
        // `if a and b: X else: Y`
        let mut instrs = vec![
            LoadFast(0),
            JumpIfFalseOrPop(3),
            LoadFast(1),
            PopJumpIfFalse(5),
            Nop,
            ReturnValue,
        ];
        thread_jumps(&mut instrs);
        assert_eq!(instrs[1], PopJumpIfFalse(5));
    }

    #[test]
    fn fusing_keeps_the_second_of_each_pair() {
        let mut instrs = vec![
            Instr::LoadFast(0),
            Instr::LoadFast(1),
            Instr::LoadConst(2),
            Instr::Compare(CmpOp::Lt),
            Instr::PopJumpIfFalse(0),
            Instr::StoreFast(70_000),
            Instr::LoadFast(0),
        ];
        let original = instrs.clone();
        fuse_pairs(&mut instrs);
        assert_eq!(
            instrs,
            vec![
                Instr::LoadFastLoadFast(1 << 16),
                // A local, a constant, a comparison and its jump: one instruction.
                Instr::LoadFastConstCompareJump(CmpOp::Lt, 1 | 2 << 16),
                // Where the run above falls back (a local that is not a number).
                Instr::ConstCompareJump(CmpOp::Lt, 2),
                Instr::CompareJumpIfFalse(CmpOp::Lt, 0),
                Instr::PopJumpIfFalse(0),
                // An index past u16 is left alone.
                Instr::StoreFast(70_000),
                Instr::LoadFast(0),
            ]
        );
        let shown: Vec<Instr> = instrs.iter().map(|i| i.unfused()).collect();
        assert_eq!(shown, original);
    }

    #[test]
    fn a_local_and_a_constant_fuse_with_their_operator() {
        use Instr::*;
        // `n - 1`; `i += 1`; `x < 2` as a value (no jump: only the pair fuses); `x * y`;
        // `while x < y:`; a constant index past u16.
        let mut instrs = vec![
            LoadFast(0),
            LoadConst(1),
            Binary(BinOp::Sub),
            LoadFast(2),
            LoadConst(1),
            Inplace(BinOp::Add),
            StoreFast(2),
            LoadFast(0),
            LoadConst(3),
            Compare(CmpOp::Lt),
            LoadFast(0),
            LoadFast(1),
            Binary(BinOp::Mul),
            LoadFast(0),
            LoadFast(1),
            Compare(CmpOp::Lt),
            PopJumpIfFalse(0),
            LoadFast(0),
            LoadConst(70_000),
            Binary(BinOp::Add),
            ReturnValue,
        ];
        let original = instrs.clone();
        fuse_pairs(&mut instrs);
        assert_eq!(instrs[0], LoadFastConstBinary(BinOp::Sub, 1 << 16));
        // The followers stay where jumps and the line table expect them; a constant and an
        // operator also fuse (for when the run is entered at the constant).
        assert_eq!(
            &instrs[1..3],
            &[ConstBinary(BinOp::Sub, 1), Binary(BinOp::Sub)]
        );
        assert_eq!(instrs[3], LoadFastConstBinary(BinOp::Add, 2 | 1 << 16));
        assert_eq!(instrs[7], LoadFastLoadConst(3 << 16));
        assert_eq!(instrs[10], LoadFastLocalBinary(BinOp::Mul, 1 << 16));
        assert_eq!(instrs[13], LoadFastLocalCompareJump(CmpOp::Lt, 1 << 16));
        assert_eq!(instrs[15], CompareJumpIfFalse(CmpOp::Lt, 0));
        assert_eq!(instrs[17], LoadFast(0));
        assert_eq!(instrs[18], ConstBinary(BinOp::Add, 70_000));
        let mut subscr = vec![LoadGlobal(0), LoadConst(1), BinarySubscr, ReturnValue];
        fuse_pairs(&mut subscr);
        assert_eq!(subscr[..3], [LoadGlobal(0), ConstSubscr(1), BinarySubscr]);
        let shown: Vec<Instr> = instrs.iter().map(|i| i.unfused()).collect();
        assert_eq!(shown, original);
    }

    #[test]
    fn returns_fuse_with_their_load_and_keep_the_return() {
        use Instr::*;
        // `if a: return x` / `return None`, and a local-then-constant pair before a return.
        let original = vec![
            LoadFast(0),
            PopJumpIfFalse(4),
            LoadFast(1),
            ReturnValue,
            LoadFast(2),
            LoadConst(0),
            ReturnValue,
        ];
        let mut instrs = original.clone();
        fuse_pairs(&mut instrs);
        assert_eq!(instrs[2..4], [ReturnFast(1), ReturnValue]);
        assert_eq!(
            instrs[4..],
            [LoadFastLoadConst(2), ReturnConst(0), ReturnValue]
        );
        let shown: Vec<Instr> = instrs.iter().map(|i| i.unfused()).collect();
        assert_eq!(shown, original);
    }

    #[test]
    fn loop_stores_and_attribute_loads_fuse_and_keep_their_jump_targets() {
        use Instr::*;
        // `for x in it: g = x.a` inside a function, then the same loop at module level.
        let mut instrs = vec![
            ForIter(5),
            StoreFast(1),
            LoadFast(1),
            LoadAttr(3),
            Jump(0),
            ForIter(8),
            StoreGlobal(2),
            Jump(5),
            ReturnValue,
        ];
        let original = instrs.clone();
        fuse_pairs(&mut instrs);
        assert_eq!(instrs[0], ForIterStoreFast(5 | 1 << 16));
        assert_eq!(instrs[2], LoadFastLoadAttr(1 | 3 << 16));
        assert_eq!(instrs[5], ForIterStoreGlobal(8 | 2 << 16));
        let shown: Vec<Instr> = instrs.iter().map(|i| i.unfused()).collect();
        assert_eq!(shown, original);
        // The listing's jump targets (`>>`) come from the fused code too.
        let targets: Vec<u32> = instrs
            .iter()
            .filter_map(super::super::dis::jump_target)
            .collect();
        assert_eq!(targets, vec![5, 0, 8, 5]);
    }

    #[test]
    fn attribute_stores_to_a_local_fuse() {
        use Instr::*;
        // `self.x = v; self.x += 1` in a method (the second store re-loads `self`).
        let mut instrs = vec![
            LoadFast(1),
            LoadFast(0),
            StoreAttr(2),
            LoadFast(0),
            LoadAttr(2),
            LoadConst(0),
            Inplace(BinOp::Add),
            LoadFast(0),
            StoreAttr(2),
            ReturnValue,
        ];
        let original = instrs.clone();
        fuse_pairs(&mut instrs);
        // The value's load is left alone so that `self` fuses with the store.
        assert_eq!(instrs[0], LoadFast(1));
        assert_eq!(instrs[1], LoadFastStoreAttr(2 << 16));
        assert_eq!(instrs[3], LoadFastLoadAttr(2 << 16));
        assert_eq!(instrs[7], LoadFastStoreAttr(2 << 16));
        let shown: Vec<Instr> = instrs.iter().map(|i| i.unfused()).collect();
        assert_eq!(shown, original);
    }

    #[test]
    fn constant_comparisons_before_a_jump_fuse() {
        use crate::code::{BinOp, CmpOp};
        use Instr::*;
        // `if a.x < 0 or a.x > 100:` then a comparison whose result is kept (`y = a.x < 5`).
        let mut instrs = vec![
            LoadAttr(1),
            LoadConst(0),
            Compare(CmpOp::Lt),
            PopJumpIfTrue(9),
            LoadAttr(1),
            LoadConst(1),
            Compare(CmpOp::Gt),
            PopJumpIfFalse(10),
            LoadConst(2),
            LoadConst(3),
            Compare(CmpOp::Lt),
            LoadConst(4),
            Binary(BinOp::Add),
            ReturnValue,
        ];
        let original = instrs.clone();
        fuse_pairs(&mut instrs);
        assert_eq!(instrs[1], ConstCompareJump(CmpOp::Lt, 0));
        assert_eq!(instrs[5], ConstCompareJump(CmpOp::Gt, 1));
        assert_eq!(instrs[6], CompareJumpIfFalse(CmpOp::Gt, 10));
        // No jump after the comparison: the constant stays a plain load.
        assert_eq!(instrs[9], LoadConst(3));
        assert_eq!(instrs[11], ConstBinary(BinOp::Add, 4));
        let shown: Vec<Instr> = instrs.iter().map(|i| i.unfused()).collect();
        assert_eq!(shown, original);
    }
}
