//! Dead block elimination.
//!
//! Valid because control can only enter a block through an export, a code address
//! stored in data (the roots), a branch, jump, call or fall-through from a live block, or
//! an address a live block makes dynamic (a return address, a code address loaded into a
//! register): a block none of these leads to never runs. Typical victims are the `trap`
//! after each code section, panic paths whose callers were folded away, and functions
//! every call of which was inlined.

use std::collections::BTreeSet;

use crate::cfg::{dynamic_label, successors, Cfg};

/// Removes the blocks that cannot run; returns whether any went.
pub fn remove_unreachable_blocks(cfg: &mut Cfg) -> bool {
    let positions = cfg.positions();
    let mut reached = BTreeSet::new();
    let mut pending: Vec<u64> = cfg.roots.iter().copied().collect();
    while let Some(label) = pending.pop() {
        if !reached.insert(label) {
            continue;
        }
        let Some(&position) = positions.get(&label) else { continue };
        let block = &cfg.blocks[position];
        pending.extend(successors(block).map(|(label, _)| label));
        pending.extend(block.items.iter().filter_map(|item| dynamic_label(item.fix)));
    }
    let before = cfg.blocks.len();
    cfg.blocks.retain(|block| reached.contains(&block.label));
    cfg.blocks.len() != before
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cfg::tests::{cfg, fixed, item};
    use crate::lower::Fix;
    use pvm::Opcode as O;

    fn labels(cfg: &Cfg) -> Vec<u64> {
        cfg.blocks.iter().map(|b| b.label).collect()
    }

    #[test]
    fn keeps_what_runs_and_drops_the_rest() {
        let trap = || vec![item(O::Trap, [0; 3], 0, 0)];
        let mut program = cfg(vec![
            (0, vec![fixed(O::BranchEqImm, [7, 0, 0], 0, Fix::Target(20))], Some(4)),
            (4, vec![fixed(O::LoadImmAndJump, [0, 0, 0], 0, Fix::Call { ret: 8, target: 30 })], None),
            // The return address of a live call.
            (8, vec![fixed(O::LoadImm, [7, 0, 0], 0, Fix::Addr(40))], Some(12)),
            (12, vec![item(O::JumpIndirect, [7, 0, 0], 0, 0)], None),
            // After an unconditional jump, never entered.
            (16, trap(), None),
            (20, trap(), None),
            (30, vec![item(O::JumpIndirect, [0, 0, 0], 0, 0)], None),
            (36, trap(), None),
            // A code address loaded into a register.
            (40, trap(), None),
        ]);
        assert!(remove_unreachable_blocks(&mut program));
        assert_eq!(labels(&program), [0, 4, 8, 12, 20, 30, 40]);
        assert!(!remove_unreachable_blocks(&mut program));
    }

    #[test]
    fn roots_stay() {
        let mut program =
            cfg(vec![(0, vec![item(O::Trap, [0; 3], 0, 0)], None), (4, vec![item(O::Trap, [0; 3], 0, 0)], None)]);
        program.roots.insert(4);
        assert!(!remove_unreachable_blocks(&mut program));
        assert_eq!(labels(&program), [0, 4]);
    }
}
