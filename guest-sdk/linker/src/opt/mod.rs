//! The optimiser: small passes over the [`Cfg`], repeated until none changes anything
//! (or a fixed number of rounds). Each pass keeps the program's behaviour as its
//! exports, host calls and memory see it; what a register holds after a trap is not
//! part of that (a trap ends the program).
//!
//! | pass | what it does |
//! |---|---|
//! | [`unreachable`](mod@unreachable) | drops blocks no entry point, jump or return address leads to |
//! | [`inline`] | replaces calls of tiny one-block functions by their body |
//! | [`threading`] | jump threading, jumps to the next block, no-op branches |
//! | [`constants`] | constant propagation: folds branches and computations, immediate forms |
//! | [`liveness`] | removes computations whose result nobody reads |
//! | [`merge`] | joins a block with its only predecessor when one falls into the other |

use std::cell::RefCell;
use std::collections::HashMap;

use pvm::isa::Shape;
use pvm::program::BlobBuilder;
use pvm::{InstructionSet, Opcode};

use crate::cfg::Cfg;
use crate::lower::{Fix, Item};

pub mod constants;
pub mod effects;
pub mod inline;
pub mod liveness;
pub mod merge;
pub mod threading;
pub mod unreachable;

/// Upper bound on the optimisation rounds (each pass usually settles in two or three).
const MAX_ROUNDS: usize = 16;

/// Optimises `cfg` in place.
pub fn optimize(cfg: &mut Cfg) {
    for _ in 0..MAX_ROUNDS {
        let mut changed = unreachable::remove_unreachable_blocks(cfg);
        changed |= inline::inline_calls(cfg);
        changed |= threading::thread_jumps(cfg);
        changed |= constants::propagate_constants(cfg);
        changed |= liveness::eliminate_dead_code(cfg);
        changed |= merge::merge_blocks(cfg);
        if !changed {
            break;
        }
    }
    unreachable::remove_unreachable_blocks(cfg);
}

/// The encoded size of `item` in `isa`, for choosing between equivalent instruction
/// sequences; late-bound operands are estimated (jump-table addresses are small,
/// targets near). Opcodes the instruction set lacks cost more than any block.
pub fn size(isa: InstructionSet, item: &Item) -> usize {
    if !isa.supports(item.opcode) {
        return 1 << 24;
    }
    let mut args = item.args;
    match item.fix {
        Fix::None => {}
        Fix::Addr(_) | Fix::CallIndirect { .. } => args.imm1 = 2,
        Fix::Target(_) if item.opcode.shape() == Shape::RegImmOffset => args.imm2 = 0,
        Fix::Target(_) => args.imm1 = 0,
        Fix::Call { .. } => (args.imm1, args.imm2) = (2, 0),
    }
    let key = (isa, item.opcode, args.regs, args.imm1, args.imm2);
    if let Some(&size) = SIZES.with(|sizes| sizes.borrow().get(&key).copied()).as_ref() {
        return size;
    }
    let mut builder = BlobBuilder::new(isa);
    builder.compact_offsets(true);
    builder.push(item.opcode, args);
    let size = builder.pc() as usize;
    SIZES.with(|sizes| {
        let mut sizes = sizes.borrow_mut();
        if sizes.len() >= MAX_CACHED_SIZES {
            sizes.clear();
        }
        sizes.insert(key, size);
    });
    size
}

/// A cache key: an instruction with its operands.
type SizeKey = (InstructionSet, Opcode, [u8; 3], u32, u32);

/// Bound on the size cache.
const MAX_CACHED_SIZES: usize = 1 << 16;

thread_local! {
    /// Sizes already computed: the constant folder sizes every item of a block for each
    /// rewrite it tries, and encoding an instruction allocates.
    static SIZES: RefCell<HashMap<SizeKey, usize>> = RefCell::new(HashMap::new());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cfg::tests::{cfg, fixed, item};
    use pvm::Opcode as O;

    #[test]
    fn sizes_follow_the_encoding() {
        let isa = InstructionSet::Latest64;
        assert_eq!(size(isa, &item(O::Trap, [0; 3], 0, 0)), 1);
        assert_eq!(size(isa, &item(O::LoadImm, [7, 0, 0], 1, 0)), 3);
        assert_eq!(size(isa, &item(O::LoadImm, [7, 0, 0], 131072, 0)), 5);
        assert_eq!(size(isa, &item(O::LoadImm64, [7, 0, 0], 0, 1)), 10);
        assert_eq!(size(isa, &item(O::Add64, [7, 8, 9], 0, 0)), 3);
        // Latest32 has no load_imm64.
        assert!(size(InstructionSet::Latest32, &item(O::LoadImm64, [7, 0, 0], 0, 1)) > 1000);
    }

    /// The guest programs' typical shapes, all passes together: a trap-only function
    /// called from a panic path disappears, and so does its return address.
    #[test]
    fn all_passes_together() {
        let mut program = cfg(vec![
            (0, vec![fixed(O::BranchEqImm, [7, 0, 0], 0, Fix::Target(10))], Some(4)),
            (4, vec![item(O::JumpIndirect, [0, 0, 0], 0, 0)], None),
            (
                10,
                vec![
                    item(O::MoveReg, [8, 1, 0], 0, 0),
                    fixed(O::LoadImmAndJump, [0, 0, 0], 0, Fix::Call { ret: 20, target: 30 }),
                ],
                None,
            ),
            (20, vec![item(O::Trap, [0; 3], 0, 0)], None),
            (30, vec![item(O::Trap, [0; 3], 0, 0)], None),
        ]);
        optimize(&mut program);
        let labels: Vec<u64> = program.blocks.iter().map(|b| b.label).collect();
        assert_eq!(labels, [0, 4, 10]);
        assert_eq!(program.blocks[2].items, [item(O::Trap, [0; 3], 0, 0)]);
    }
}
