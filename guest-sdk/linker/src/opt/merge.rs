//! Block merging.
//!
//! A block that is entered only by falling through from the block laid out right
//! before it (no jump, branch, call or jump-table entry leads to it) is appended to that
//! block: the two always run one after the other. The emitter would not separate them
//! either; merging lets the other passes, which look at one block at a time, see both.

use crate::cfg::Cfg;

/// Merges such pairs; returns whether any were merged.
pub fn merge_blocks(cfg: &mut Cfg) -> bool {
    let dynamic = cfg.dynamic_labels();
    let references = cfg.reference_counts();
    let mut merged: Vec<crate::cfg::Block> = Vec::with_capacity(cfg.blocks.len());
    let mut changed = false;
    for block in std::mem::take(&mut cfg.blocks) {
        if let Some(previous) = merged.last_mut() {
            let only_entry = previous.terminator().is_none()
                && previous.next == Some(block.label)
                && references.get(&block.label) == Some(&1)
                && !dynamic.contains(&block.label);
            if only_entry {
                previous.items.extend(block.items);
                previous.next = block.next;
                changed = true;
                continue;
            }
        }
        merged.push(block);
    }
    cfg.blocks = merged;
    changed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cfg::tests::{cfg, fixed, item};
    use crate::lower::Fix;
    use pvm::Opcode as O;

    #[test]
    fn falls_through_into_a_block_nobody_else_enters() {
        let mut program = cfg(vec![
            (0, vec![item(O::LoadImm, [7, 0, 0], 1, 0)], Some(4)),
            (4, vec![item(O::LoadImm, [8, 0, 0], 1, 0)], Some(8)),
            // Also a branch target.
            (8, vec![fixed(O::BranchEqImm, [7, 0, 0], 0, Fix::Target(8))], Some(12)),
            // The branch's fall-through: a terminator ends block 8.
            (12, vec![fixed(O::LoadImm, [7, 0, 0], 0, Fix::Addr(16))], Some(16)),
            // A jump-table entry.
            (16, vec![item(O::JumpIndirect, [7, 0, 0], 0, 0)], None),
        ]);
        assert!(merge_blocks(&mut program));
        let shape: Vec<(u64, usize)> = program.blocks.iter().map(|b| (b.label, b.items.len())).collect();
        assert_eq!(shape, [(0, 2), (8, 1), (12, 1), (16, 1)]);
        assert!(!merge_blocks(&mut program));
    }
}
