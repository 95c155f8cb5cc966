//! Constant propagation.
//!
//! A forward data-flow analysis finds, for every block, the registers that hold the
//! same known value whenever the block starts: those its predecessors all agree on.
//! Blocks entered through the jump table or from outside (return addresses, exports,
//! code addresses in data) start with nothing known, since callers cannot be seen; a
//! host call may change any register but the link register. With that:
//!
//! - a branch whose outcome is known becomes a `jump` or disappears;
//! - an instruction whose result is known may become `load_imm`/`load_imm64`, one with
//!   a known register operand its immediate form (`load_imm a3, 16` +
//!   `branch_less_unsigned a2, a3` → `branch_less_unsigned_imm a2, 16`), a store of a
//!   known register a store of an immediate, a load or store through a known base an
//!   access to the absolute address, a conditional move with a known condition a move or
//!   nothing, one with a known source its immediate form.
//!
//! Each replacement computes the same values, so it is valid wherever the analysis holds.
//! Values are tracked as the VM holds them: 64 bits wide, and on the 32-bit instruction
//! set always the sign extension of a 32-bit value (so every value fits an immediate).
//! Rewrites are tried one at a time and kept only if the block, after removing the
//! computations that became dead, gets smaller (or as small with fewer instructions):
//! a folded constant is only worth it when what computed it can go. The rewrites no
//! single one of which pays are then tried all together (a base address used by several
//! accesses goes only when all of them change).

use std::collections::{BTreeMap, BTreeSet};

use pvm::isa::Shape;
use pvm::program::Args;
use pvm::{semantics, InstructionSet, Opcode as O};

use crate::cfg::{successors, Block, Cfg};
use crate::lower::{Fix, Item};
use crate::opt::effects::{effects, Regs, REG_COUNT};
use crate::opt::threading::is_branch;
use crate::opt::{liveness, size};

/// What is known about each register.
pub type State = [Option<u64>; REG_COUNT as usize];

/// Nothing known.
const UNKNOWN: State = [None; REG_COUNT as usize];

/// At most this many rewrites are tried per block and round.
const MAX_CANDIDATES: usize = 64;

/// Propagates and folds constants; returns whether anything changed.
pub fn propagate_constants(cfg: &mut Cfg) -> bool {
    let entry = entry_states(cfg);
    if fold_branches(cfg, &entry) {
        // The control flow changed; the next round analyses it afresh.
        return true;
    }
    let live_out = liveness::live_out(cfg);
    let (isa, wide) = (cfg.isa, cfg.is_64);
    let mut changed = false;
    for ((block, entry), live) in cfg.blocks.iter_mut().zip(entry).zip(live_out) {
        if let Some(entry) = entry {
            changed |= rewrite_block(isa, wide, block, entry, live);
        }
    }
    changed
}

/// The known registers at the start of each block; `None` for blocks the analysis
/// never reaches (they cannot run).
pub fn entry_states(cfg: &Cfg) -> Vec<Option<State>> {
    let wide = cfg.is_64;
    let positions = cfg.positions();
    let dynamic = cfg.dynamic_labels();
    let mut states: Vec<Option<State>> = vec![None; cfg.blocks.len()];
    let mut pending = BTreeSet::new();
    for (n, block) in cfg.blocks.iter().enumerate() {
        if dynamic.contains(&block.label) {
            states[n] = Some(UNKNOWN);
            pending.insert(n);
        }
    }
    while let Some(n) = pending.pop_first() {
        let block = &cfg.blocks[n];
        let mut state = states[n].expect("pending blocks have a state");
        for item in &block.items {
            step(wide, &mut state, item);
        }
        for (label, _) in successors(block) {
            let Some(&p) = positions.get(&label) else { continue };
            let merged = match states[p] {
                None => state,
                Some(old) => meet(&old, &state),
            };
            if states[p] != Some(merged) {
                states[p] = Some(merged);
                pending.insert(p);
            }
        }
    }
    states
}

/// What is known on both of two paths.
fn meet(a: &State, b: &State) -> State {
    let mut out = UNKNOWN;
    for reg in 0..REG_COUNT as usize {
        if a[reg] == b[reg] {
            out[reg] = a[reg];
        }
    }
    out
}

/// Updates `state` over one instruction; `wide` is the instruction set's register width
/// (64 rather than 32 bits).
pub fn step(wide: bool, state: &mut State, item: &Item) {
    let effects = effects(item);
    let value = if effects.pure { evaluate(wide, item, state) } else { None };
    for reg in effects.clobbers.iter() {
        state[usize::from(reg)] = None;
    }
    if let Some(value) = value {
        state[usize::from(item.args.regs[0])] = Some(value);
    }
}

/// An immediate, sign-extended as instructions see it.
fn sext(value: u32) -> u64 {
    semantics::sext32(value)
}

/// Whether `value` is the sign extension of a 32-bit immediate.
fn fits(value: u64) -> bool {
    sext(value as u32) == value
}

/// The result of a side-effect-free instruction, if its operands are known: what
/// [`semantics::alu`] computes at the register width `wide` gives, or for a conditional
/// move, what it moves or the destination's old value.
fn evaluate(wide: bool, item: &Item, state: &State) -> Option<u64> {
    if item.fix != Fix::None {
        return None;
    }
    let args = item.args;
    let reg = |n: usize| state[usize::from(args.regs[n])];
    let imm = sext(args.imm1);
    let opcode = item.opcode;
    // Register 0 is the destination; the operands follow it.
    match opcode {
        O::CmovIfZeroImm | O::CmovIfNotZeroImm => {
            return if semantics::cmov(opcode, reg(1)?)? { Some(imm) } else { reg(0) };
        }
        O::CmovIfZero | O::CmovIfNotZero => {
            return if semantics::cmov(opcode, reg(2)?)? { reg(1) } else { reg(0) };
        }
        _ => {}
    }
    let (x, y) = match opcode.shape() {
        Shape::RegImm => (0, imm),
        Shape::RegImm64 => (0, args.imm64()),
        Shape::RegReg => (reg(1)?, 0),
        Shape::RegRegImm => (reg(1)?, imm),
        Shape::RegRegReg => (reg(1)?, reg(2)?),
        _ => return None,
    };
    semantics::alu(opcode, wide, x, y)
}

/// The outcome of a conditional branch, if its operands are known.
fn branch_outcome(item: &Item, state: &State) -> Option<bool> {
    let x = state[usize::from(item.args.regs[0])]?;
    let y = match item.opcode.shape() {
        Shape::RegImmOffset => sext(item.args.imm1),
        _ => state[usize::from(item.args.regs[1])]?,
    };
    semantics::branch_taken(item.opcode, x, y)
}

/// Replaces branches with a known outcome; returns whether any changed.
fn fold_branches(cfg: &mut Cfg, entry: &[Option<State>]) -> bool {
    let wide = cfg.is_64;
    let mut changed = false;
    for (block, entry) in cfg.blocks.iter_mut().zip(entry) {
        let Some(mut state) = *entry else { continue };
        let Some(&branch) = block.terminator() else { continue };
        let Fix::Target(target) = branch.fix else { continue };
        if !is_branch(branch.opcode) {
            continue;
        }
        for item in block.body() {
            step(wide, &mut state, item);
        }
        match branch_outcome(&branch, &state) {
            Some(true) => {
                *block.items.last_mut().expect("has a terminator") =
                    Item { opcode: O::Jump, args: Args::default(), fix: Fix::Target(target) };
                block.next = None;
            }
            Some(false) => {
                block.items.pop();
            }
            None => continue,
        }
        changed = true;
    }
    changed
}

/// `dst = value` in as few bytes as the instruction set allows.
fn load_constant(dst: u8, value: u64) -> Item {
    let (opcode, imm1, imm2) =
        if fits(value) { (O::LoadImm, value as u32, 0) } else { (O::LoadImm64, value as u32, (value >> 32) as u32) };
    Item { opcode, args: Args { regs: [dst, 0, 0], imm1, imm2 }, fix: Fix::None }
}

/// The immediate form of a three-register operation with one known operand:
/// `(opcode, imm)` for `dst = other <op> imm`. `known_rhs` says which side is known.
fn immediate_form(opcode: O, known: u64, known_rhs: bool) -> Option<(O, u32)> {
    let low = known as u32;
    // 64-bit operations see the immediate sign-extended: it must give back `known`.
    let wide = |opcode| fits(known).then_some((opcode, low));
    let narrow = |opcode| Some((opcode, low));
    match (opcode, known_rhs) {
        (O::Add64, _) => wide(O::AddImm64),
        (O::Add32, _) => narrow(O::AddImm32),
        (O::Mul64, _) => wide(O::MulImm64),
        (O::Mul32, _) => narrow(O::MulImm32),
        (O::And, _) => wide(O::AndImm),
        (O::Or, _) => wide(O::OrImm),
        (O::Xor, _) => wide(O::XorImm),
        (O::Sub64, true) => fits(known.wrapping_neg()).then_some((O::AddImm64, known.wrapping_neg() as u32)),
        (O::Sub32, true) => Some((O::AddImm32, low.wrapping_neg())),
        (O::Sub64, false) => wide(O::NegateAndAddImm64),
        (O::Sub32, false) => narrow(O::NegateAndAddImm32),
        // Shift amounts only use their low bits.
        (O::ShiftLogicalLeft64, true) => narrow(O::ShiftLogicalLeftImm64),
        (O::ShiftLogicalRight64, true) => narrow(O::ShiftLogicalRightImm64),
        (O::ShiftArithmeticRight64, true) => narrow(O::ShiftArithmeticRightImm64),
        (O::ShiftLogicalLeft32, true) => narrow(O::ShiftLogicalLeftImm32),
        (O::ShiftLogicalRight32, true) => narrow(O::ShiftLogicalRightImm32),
        (O::ShiftArithmeticRight32, true) => narrow(O::ShiftArithmeticRightImm32),
        (O::RotateRight64, true) => narrow(O::RotateRightImm64),
        (O::RotateRight32, true) => narrow(O::RotateRightImm32),
        (O::ShiftLogicalLeft64, false) => wide(O::ShiftLogicalLeftImmAlt64),
        (O::ShiftLogicalRight64, false) => wide(O::ShiftLogicalRightImmAlt64),
        (O::ShiftArithmeticRight64, false) => wide(O::ShiftArithmeticRightImmAlt64),
        (O::ShiftLogicalLeft32, false) => narrow(O::ShiftLogicalLeftImmAlt32),
        (O::ShiftLogicalRight32, false) => narrow(O::ShiftLogicalRightImmAlt32),
        (O::ShiftArithmeticRight32, false) => narrow(O::ShiftArithmeticRightImmAlt32),
        (O::RotateRight64, false) => wide(O::RotateRightImmAlt64),
        (O::RotateRight32, false) => narrow(O::RotateRightImmAlt32),
        (O::SetLessThanUnsigned, true) => wide(O::SetLessThanUnsignedImm),
        (O::SetLessThanSigned, true) => wide(O::SetLessThanSignedImm),
        // `known < y` is `y > known`.
        (O::SetLessThanUnsigned, false) => wide(O::SetGreaterThanUnsignedImm),
        (O::SetLessThanSigned, false) => wide(O::SetGreaterThanSignedImm),
        _ => None,
    }
}

/// The immediate form of a two-register branch with one known operand.
fn branch_immediate_form(opcode: O, known_rhs: bool) -> Option<O> {
    Some(match (opcode, known_rhs) {
        (O::BranchEq, _) => O::BranchEqImm,
        (O::BranchNotEq, _) => O::BranchNotEqImm,
        (O::BranchLessUnsigned, true) => O::BranchLessUnsignedImm,
        (O::BranchLessSigned, true) => O::BranchLessSignedImm,
        (O::BranchGreaterOrEqualUnsigned, true) => O::BranchGreaterOrEqualUnsignedImm,
        (O::BranchGreaterOrEqualSigned, true) => O::BranchGreaterOrEqualSignedImm,
        // `known < y` is `y > known`, `known >= y` is `y <= known`.
        (O::BranchLessUnsigned, false) => O::BranchGreaterUnsignedImm,
        (O::BranchLessSigned, false) => O::BranchGreaterSignedImm,
        (O::BranchGreaterOrEqualUnsigned, false) => O::BranchLessOrEqualUnsignedImm,
        (O::BranchGreaterOrEqualSigned, false) => O::BranchLessOrEqualSignedImm,
        _ => return None,
    })
}

/// The store of an immediate that does what a store of a register holding `value` does.
fn store_immediate_form(opcode: O, value: u64) -> Option<O> {
    let wide_ok = fits(value);
    Some(match opcode {
        O::StoreIndirectU8 => O::StoreImmIndirectU8,
        O::StoreIndirectU16 => O::StoreImmIndirectU16,
        O::StoreIndirectU32 => O::StoreImmIndirectU32,
        O::StoreIndirectU64 if wide_ok => O::StoreImmIndirectU64,
        O::StoreU8 => O::StoreImmU8,
        O::StoreU16 => O::StoreImmU16,
        O::StoreU32 => O::StoreImmU32,
        O::StoreU64 if wide_ok => O::StoreImmU64,
        _ => return None,
    })
}

/// The absolute form of a load or store through a base register.
fn absolute_form(opcode: O) -> Option<O> {
    Some(match opcode {
        O::LoadIndirectU8 => O::LoadU8,
        O::LoadIndirectI8 => O::LoadI8,
        O::LoadIndirectU16 => O::LoadU16,
        O::LoadIndirectI16 => O::LoadI16,
        O::LoadIndirectU32 => O::LoadU32,
        O::LoadIndirectI32 => O::LoadI32,
        O::LoadIndirectU64 => O::LoadU64,
        O::StoreIndirectU8 => O::StoreU8,
        O::StoreIndirectU16 => O::StoreU16,
        O::StoreIndirectU32 => O::StoreU32,
        O::StoreIndirectU64 => O::StoreU64,
        O::StoreImmIndirectU8 => O::StoreImmU8,
        O::StoreImmIndirectU16 => O::StoreImmU16,
        O::StoreImmIndirectU32 => O::StoreImmU32,
        O::StoreImmIndirectU64 => O::StoreImmU64,
        _ => return None,
    })
}

/// A load or store through a base register that holds a known value, as an access to
/// the absolute address (the VM computes `base + offset` at 32 bits, wrapping), storing
/// an immediate if the stored register is known too.
fn absolute_candidate(item: &Item, state: &State) -> Option<Vec<Item>> {
    if item.fix != Fix::None {
        return None;
    }
    let opcode = absolute_form(item.opcode)?;
    let args = item.args;
    let known = |n: usize| state[usize::from(args.regs[n])];
    let make = |opcode, regs, imm1, imm2| Item { opcode, args: Args { regs, imm1, imm2 }, fix: Fix::None };
    let replacement = match item.opcode.shape() {
        // [base] + offset, value → address, value.
        Shape::RegImmImm => {
            let address = (known(0)? as u32).wrapping_add(args.imm1);
            make(opcode, [0; 3], address, args.imm2)
        }
        // [register, base] + offset → [register] + address.
        _ => {
            let address = (known(1)? as u32).wrapping_add(args.imm1);
            let stored = known(0).filter(|_| effects(item).reads.contains(args.regs[0]));
            match stored.and_then(|value| Some((store_immediate_form(opcode, value)?, value))) {
                Some((with_imm, value)) => make(with_imm, [0; 3], address, value as u32),
                None => make(opcode, [args.regs[0], 0, 0], address, 0),
            }
        }
    };
    Some(vec![replacement])
}

/// An equivalent replacement for `item` given what is known before it (empty: it does
/// nothing), or `None`.
fn candidate(wide: bool, item: &Item, state: &State) -> Option<Vec<Item>> {
    if item.fix != Fix::None && !matches!(item.fix, Fix::Target(_)) {
        return None;
    }
    let args = item.args;
    let known = |n: usize| state[usize::from(args.regs[n])];
    let with = |opcode, regs, imm1, imm2| Item { opcode, args: Args { regs, imm1, imm2 }, fix: item.fix };
    let effects = effects(item);
    if effects.pure && !matches!(item.opcode, O::LoadImm | O::LoadImm64) {
        if let Some(value) = evaluate(wide, item, state) {
            return Some(vec![load_constant(args.regs[0], value)]);
        }
        match item.opcode {
            O::CmovIfZero | O::CmovIfNotZero => {
                let [dst, source, condition] = args.regs;
                let Some(condition_value) = known(2) else {
                    // A known source: the immediate form moves it.
                    let value = known(1).filter(|&value| fits(value))?;
                    let opcode = if item.opcode == O::CmovIfZero { O::CmovIfZeroImm } else { O::CmovIfNotZeroImm };
                    return Some(vec![with(opcode, [dst, condition, 0], value as u32, 0)]);
                };
                let moves = semantics::cmov(item.opcode, condition_value)?;
                return Some(if moves { vec![with(O::MoveReg, [dst, source, 0], 0, 0)] } else { vec![] });
            }
            O::CmovIfZeroImm | O::CmovIfNotZeroImm => {
                let moves = semantics::cmov(item.opcode, known(1)?)?;
                return Some(if moves { vec![load_constant(args.regs[0], sext(args.imm1))] } else { vec![] });
            }
            _ => {}
        }
        if item.opcode.shape() == Shape::RegRegReg {
            let [dst, lhs, rhs] = args.regs;
            let (other, value, known_rhs) = match (known(1), known(2)) {
                (_, Some(value)) => (lhs, value, true),
                (Some(value), None) => (rhs, value, false),
                (None, None) => return None,
            };
            let (opcode, imm) = immediate_form(item.opcode, value, known_rhs)?;
            return Some(vec![with(opcode, [dst, other, 0], imm, 0)]);
        }
        return None;
    }
    match item.opcode.shape() {
        Shape::RegRegOffset if is_branch(item.opcode) => {
            let (other, value, known_rhs) = match (known(0), known(1)) {
                (_, Some(value)) => (args.regs[0], value, true),
                (Some(value), None) => (args.regs[1], value, false),
                (None, None) => return None,
            };
            let opcode = branch_immediate_form(item.opcode, known_rhs)?;
            fits(value).then(|| vec![with(opcode, [other, 0, 0], value as u32, 0)])
        }
        Shape::RegRegImm | Shape::RegImm => {
            let value = known(0)?;
            let opcode = store_immediate_form(item.opcode, value)?;
            let replacement = match item.opcode.shape() {
                // [source, base] + offset → [base] + offset, value.
                Shape::RegRegImm => with(opcode, [args.regs[1], 0, 0], args.imm1, value as u32),
                // [source] + address → address, value.
                _ => with(opcode, [0; 3], args.imm1, value as u32),
            };
            Some(vec![replacement])
        }
        _ => None,
    }
}

/// Tries the candidate rewrites of one block in order, keeping each that makes the block
/// (without its dead computations) cheaper; returns whether the block changed.
fn rewrite_block(isa: InstructionSet, wide: bool, block: &mut Block, entry: State, live_out: Regs) -> bool {
    let mut state = entry;
    let mut candidates: Vec<(usize, Vec<Item>)> = Vec::new();
    for (n, item) in block.items.iter().enumerate() {
        // (A later candidate for the same item replaces an earlier one if it is cheaper.)
        let replacements = [candidate(wide, item, &state), absolute_candidate(item, &state)];
        candidates.extend(replacements.into_iter().flatten().map(|replacement| (n, replacement)));
        step(wide, &mut state, item);
    }
    if candidates.is_empty() {
        return false;
    }
    // Each trial costs a pass over the block: keep the work linear in its length.
    candidates.truncate(MAX_CANDIDATES);
    let sizes: Vec<usize> = block.items.iter().map(|item| size(isa, item)).collect();
    let candidate_sizes: Vec<Vec<usize>> =
        candidates.iter().map(|(_, items)| items.iter().map(|item| size(isa, item)).collect()).collect();
    // Item index → chosen candidate.
    let mut chosen: BTreeMap<usize, usize> = BTreeMap::new();
    let assemble = |chosen: &BTreeMap<usize, usize>| -> (Vec<Item>, Vec<usize>) {
        let mut items = Vec::with_capacity(block.items.len());
        let mut item_sizes = Vec::with_capacity(block.items.len());
        for (n, item) in block.items.iter().enumerate() {
            match chosen.get(&n) {
                Some(&k) => {
                    items.extend_from_slice(&candidates[k].1);
                    item_sizes.extend_from_slice(&candidate_sizes[k]);
                }
                None => {
                    items.push(*item);
                    item_sizes.push(sizes[n]);
                }
            }
        }
        (items, item_sizes)
    };
    let cost = |chosen: &BTreeMap<usize, usize>| -> (usize, usize) {
        let (items, item_sizes) = assemble(chosen);
        let keep = liveness::keep_mask(&items, live_out);
        let kept = keep.iter().filter(|&&k| k).count();
        (item_sizes.iter().zip(&keep).filter(|(_, &k)| k).map(|(s, _)| s).sum(), kept)
    };
    let mut best = cost(&chosen);
    for (k, &(n, _)) in candidates.iter().enumerate() {
        let previous = chosen.insert(n, k);
        let trial = cost(&chosen);
        if trial < best {
            best = trial;
        } else if let Some(previous) = previous {
            chosen.insert(n, previous);
        } else {
            chosen.remove(&n);
        }
    }
    // A constant used several times (a base address) only goes once every use is
    // rewritten, which no single rewrite pays for: try the rest all together (the last
    // candidate of each item), then drop those that do not help.
    let mut all = chosen.clone();
    for (k, &(n, _)) in candidates.iter().enumerate() {
        if !chosen.contains_key(&n) {
            all.insert(n, k);
        }
    }
    let trial = cost(&all);
    if trial < best {
        let added: Vec<usize> = all.keys().filter(|n| !chosen.contains_key(n)).copied().collect();
        (chosen, best) = (all, trial);
        for n in added {
            let k = chosen.remove(&n).expect("added above");
            let trial = cost(&chosen);
            if trial <= best {
                best = trial;
            } else {
                chosen.insert(n, k);
            }
        }
    }
    if chosen.is_empty() {
        return false;
    }
    let (items, _) = assemble(&chosen);
    block.items = liveness::without_dead(&items, live_out);
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cfg::tests::{cfg, fixed, item};
    use pvm::Opcode as O;

    const A0: u8 = 7;
    const A1: u8 = 8;
    const A2: u8 = 9;
    const A3: u8 = 10;

    fn ret() -> Item {
        item(O::JumpIndirect, [0, 0, 0], 0, 0)
    }

    #[test]
    fn chains_of_constants_fold_into_one() {
        // load_imm a0, 9998336; add_imm_64 a0, a0, 1664 → load_imm a0, 10000000
        let mut program = cfg(vec![(
            0,
            vec![item(O::LoadImm, [A0, 0, 0], 9_998_336, 0), item(O::AddImm64, [A0, A0, 0], 1664, 0), ret()],
            None,
        )]);
        assert!(propagate_constants(&mut program));
        assert_eq!(program.blocks[0].items, [item(O::LoadImm, [A0, 0, 0], 10_000_000, 0), ret()]);
        // A value that needs 64 bits: lui + shift + add → load_imm64, only because it is smaller.
        let mut program = cfg(vec![(
            0,
            vec![
                item(O::LoadImm, [A1, 0, 0], 0x1010_1000, 0),
                item(O::ShiftLogicalLeftImm64, [A1, A1, 0], 4, 0),
                item(O::AddImm64, [A1, A1, 0], 256, 0),
                ret(),
            ],
            None,
        )]);
        assert!(propagate_constants(&mut program));
        assert_eq!(program.blocks[0].items, [item(O::LoadImm64, [A1, 0, 0], 0x0101_0100, 0x1), ret()]);
    }

    #[test]
    fn known_operands_become_immediates_when_that_is_smaller() {
        let mut program = cfg(vec![
            (
                0,
                vec![
                    item(O::LoadImm, [A3, 0, 0], 16, 0),
                    fixed(O::BranchLessUnsigned, [A2, A3, 0], 0, Fix::Target(20)),
                ],
                Some(10),
            ),
            (
                10,
                vec![
                    item(O::LoadImm, [A2, 0, 0], 0xffff_ffff, 0),
                    item(O::ShiftLogicalLeft64, [A2, A2, A3], 0, 0),
                    ret(),
                ],
                None,
            ),
            (20, vec![item(O::MoveReg, [A3, A0, 0], 0, 0), ret()], None),
        ]);
        // Block 10 is also entered from elsewhere: nothing is known there.
        program.roots.insert(10);
        // Block 10 reads a3: its load stays, and an immediate branch would be larger.
        assert!(propagate_constants(&mut program));
        assert_eq!(program.blocks[0].items[1], fixed(O::BranchLessUnsigned, [A2, A3, 0], 0, Fix::Target(20)));
        // load_imm a2, -1; shift_logical_left_64 a2, a2, a3 → shift_logical_left_imm_alt_64 a2, a3, -1
        assert_eq!(program.blocks[1].items[0], item(O::ShiftLogicalLeftImmAlt64, [A2, A3, 0], 0xffff_ffff, 0));

        let mut program = cfg(vec![
            (
                0,
                vec![
                    item(O::LoadImm, [A3, 0, 0], 16, 0),
                    fixed(O::BranchLessUnsigned, [A2, A3, 0], 0, Fix::Target(20)),
                ],
                Some(10),
            ),
            (10, vec![item(O::MoveReg, [A3, A1, 0], 0, 0), ret()], None),
            (20, vec![item(O::MoveReg, [A3, A0, 0], 0, 0), ret()], None),
        ]);
        assert!(propagate_constants(&mut program));
        assert_eq!(program.blocks[0].items, [fixed(O::BranchLessUnsignedImm, [A2, 0, 0], 16, Fix::Target(20))]);
    }

    #[test]
    fn constants_flow_across_jumps_and_fold_branches() {
        // Two callers jump to a shared tail with a2 = 4194304; its `a2 < 16` test is
        // never true.
        let mut program = cfg(vec![
            (
                0,
                vec![
                    item(O::LoadImm, [A2, 0, 0], 4_194_304, 0),
                    item(O::LoadImm, [A1, 0, 0], 1, 0),
                    fixed(O::Jump, [0; 3], 0, Fix::Target(20)),
                ],
                None,
            ),
            (
                10,
                vec![
                    item(O::LoadImm, [A2, 0, 0], 4_194_304, 0),
                    item(O::LoadImm, [A1, 0, 0], 0, 0),
                    fixed(O::Jump, [0; 3], 0, Fix::Target(20)),
                ],
                None,
            ),
            (20, vec![fixed(O::BranchLessUnsignedImm, [A2, 0, 0], 16, Fix::Target(30))], Some(24)),
            (24, vec![item(O::StoreIndirectU8, [A1, A2, 0], 0, 0), ret()], None),
            (30, vec![item(O::Trap, [0; 3], 0, 0)], None),
        ]);
        program.roots.insert(10);
        let entry = entry_states(&program);
        assert_eq!(entry[2].unwrap()[usize::from(A2)], Some(4_194_304));
        assert_eq!(entry[2].unwrap()[usize::from(A1)], None);
        assert!(propagate_constants(&mut program));
        assert!(program.blocks[2].items.is_empty());
    }

    #[test]
    fn jump_table_entries_know_nothing() {
        let program = cfg(vec![
            (
                0,
                vec![
                    item(O::LoadImm, [A0, 0, 0], 5, 0),
                    fixed(O::LoadImmAndJump, [0, 0, 0], 0, Fix::Call { ret: 10, target: 20 }),
                ],
                None,
            ),
            (10, vec![ret()], None),
            (20, vec![item(O::Ecalli, [0; 3], 0, 0), ret()], None),
        ]);
        let entry = entry_states(&program);
        assert_eq!(entry[1], Some(UNKNOWN));
        assert_eq!(entry[2].unwrap()[usize::from(A0)], Some(5));
        // After a host call, nothing but the link register is known.
        let mut state = entry[2].unwrap();
        state[0] = Some(1);
        step(true, &mut state, &program.blocks[2].items[0]);
        assert_eq!(state[0], Some(1));
        assert_eq!(state[usize::from(A0)], None);
    }

    #[test]
    fn stores_of_known_registers_store_immediates() {
        let mut program = cfg(vec![(
            0,
            vec![
                item(O::LoadImm, [A1, 0, 0], (-3i32) as u32, 0),
                item(O::StoreU64, [A1, 0, 0], 131072, 0),
                item(O::LoadImm, [A0, 0, 0], 10, 0),
                ret(),
            ],
            None,
        )]);
        // a1 is live at the return: its load stays, and a store of an immediate is no smaller.
        assert!(!propagate_constants(&mut program));
        program.blocks[0].items[3] = item(O::Trap, [0; 3], 0, 0);
        assert!(propagate_constants(&mut program));
        assert_eq!(program.blocks[0].items[0], item(O::StoreImmU64, [0; 3], 131072, (-3i32) as u32));
    }

    #[test]
    fn constants_fold_on_the_32_bit_instruction_set() {
        // load_imm a0, 0x7fff_f000; add_imm_32 a0, a0, 0x1000 → load_imm a0, 0x8000_0000:
        // at 32 bits the sum wraps, and is held sign-extended, as the VM holds it.
        let mut program = cfg(vec![(
            0,
            vec![
                item(O::LoadImm, [A0, 0, 0], 0x7fff_f000, 0),
                item(O::AddImm32, [A0, A0, 0], 0x1000, 0),
                item(O::MulUpperUnsignedUnsigned, [A1, A0, A0], 0, 0),
                ret(),
            ],
            None,
        )]);
        (program.isa, program.is_64) = (InstructionSet::Latest32, false);
        assert!(propagate_constants(&mut program));
        // (The `mul_upper` stays: a 3-byte instruction, where its result would take 5.)
        assert_eq!(program.blocks[0].items[..1], [item(O::LoadImm, [A0, 0, 0], 0x8000_0000, 0)]);
        assert_eq!(program.blocks[0].items.len(), 3);
        // `mul_upper` and `reverse_byte` are the instructions whose result depends on the width.
        let mut state = UNKNOWN;
        state[usize::from(A0)] = Some(0xffff_ffff_8000_0000);
        let eval = |wide, opcode| evaluate(wide, &item(opcode, [A2, A0, A0], 0, 0), &state);
        assert_eq!(eval(false, O::MulUpperUnsignedUnsigned), Some(0x4000_0000));
        assert_eq!(eval(true, O::MulUpperUnsignedUnsigned), Some(0xffff_ffff_0000_0000));
        assert_eq!(eval(false, O::ReverseByte), Some(0x80));
    }

    #[test]
    fn accesses_through_known_bases_become_absolute() {
        // load_imm a0, 0x20010; load_indirect_i32 a1, a0, -16; load_indirect_u8 a2, a0, 4
        // → load_i32 a1, 0x20000; load_u8 a2, 0x20014: a0 goes only if both change (the
        // trap ends the program, a0 is dead there).
        let mut program = cfg(vec![(
            0,
            vec![
                item(O::LoadImm, [A0, 0, 0], 0x20010, 0),
                item(O::LoadIndirectI32, [A1, A0, 0], (-16i32) as u32, 0),
                item(O::LoadIndirectU8, [A2, A0, 0], 4, 0),
                item(O::Trap, [0; 3], 0, 0),
            ],
            None,
        )]);
        (program.isa, program.is_64) = (InstructionSet::Latest32, false);
        assert!(propagate_constants(&mut program));
        assert_eq!(
            program.blocks[0].items,
            [
                item(O::LoadI32, [A1, 0, 0], 0x20000, 0),
                item(O::LoadU8, [A2, 0, 0], 0x20014, 0),
                item(O::Trap, [0; 3], 0, 0),
            ]
        );
        // A store of a known register to a known address stores an immediate.
        let mut state = UNKNOWN;
        (state[usize::from(A0)], state[usize::from(A1)]) = (Some(0x20010), Some(5));
        assert_eq!(
            absolute_candidate(&item(O::StoreIndirectU16, [A1, A0, 0], 2, 0), &state),
            Some(vec![item(O::StoreImmU16, [0; 3], 0x20012, 5)])
        );
    }

    #[test]
    fn conditional_moves_of_known_values_move_immediates() {
        // load_imm a1, 5; cmov_if_zero a0, a1, a2 → cmov_if_zero_imm a0, a2, 5.
        let mut program = cfg(vec![(
            0,
            vec![
                item(O::LoadImm, [A1, 0, 0], 5, 0),
                item(O::CmovIfZero, [A0, A1, A2], 0, 0),
                item(O::StoreIndirectU32, [A0, A2, 0], 0, 0),
                item(O::Trap, [0; 3], 0, 0),
            ],
            None,
        )]);
        assert!(propagate_constants(&mut program));
        assert_eq!(program.blocks[0].items[0], item(O::CmovIfZeroImm, [A0, A2, 0], 5, 0));
    }

    #[test]
    fn evaluation_matches_the_vm() {
        let mut state = UNKNOWN;
        state[usize::from(A0)] = Some(0xffff_ffff_8000_0000);
        state[usize::from(A1)] = Some(3);
        let eval = |opcode, regs, imm| evaluate(true, &item(opcode, regs, imm, 0), &state);
        assert_eq!(eval(O::AddImm32, [A2, A0, 0], 0xffff_ffff), Some(0x7fff_ffff));
        assert_eq!(eval(O::ShiftArithmeticRightImm64, [A2, A0, 0], 4), Some(0xffff_ffff_f800_0000));
        assert_eq!(eval(O::ShiftLogicalLeftImmAlt64, [A2, A1, 0], 0xffff_ffff), Some(0xffff_ffff_ffff_fff8));
        assert_eq!(eval(O::Sub32, [A2, A1, A0], 0), Some(0xffff_ffff_8000_0003));
        assert_eq!(eval(O::SetLessThanSigned, [A2, A0, A1], 0), Some(1));
        assert_eq!(eval(O::NegateAndAddImm64, [A2, A1, 0], 0), Some(3u64.wrapping_neg()));
        assert_eq!(eval(O::Add64, [A2, A1, A3], 0), None);
        // Division and conditional moves, with a2 = 0.
        state[usize::from(A2)] = Some(0);
        let eval = |opcode, regs, imm| evaluate(true, &item(opcode, regs, imm, 0), &state);
        assert_eq!(eval(O::DivUnsigned64, [A2, A1, A1], 0), Some(1));
        assert_eq!(eval(O::DivSigned64, [A2, A1, A2], 0), Some(u64::MAX));
        assert_eq!(eval(O::RemUnsigned32, [A2, A1, A2], 0), Some(3));
        assert_eq!(eval(O::CmovIfZero, [A2, A1, A2], 0), Some(3));
        assert_eq!(eval(O::CmovIfNotZero, [A2, A1, A2], 0), Some(0));
        assert_eq!(eval(O::CmovIfNotZero, [A3, A1, A2], 0), None);
        assert_eq!(eval(O::CmovIfNotZeroImm, [A2, A1, 0], 5), Some(5));
        assert_eq!(eval(O::CmovIfZeroImm, [A2, A1, 0], 5), Some(0));
    }
}
