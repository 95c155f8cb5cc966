//! Jump threading and jump simplification.
//!
//! - A branch, jump or call whose target is an empty block, or a block that is only a
//!   `jump`, goes straight to where that block leads: the skipped block did nothing.
//!   (Fall-throughs stay: skipping a block there would take a `jump`.)
//! - A `jump` to a block that is only a `trap` or an indirect jump (typically a
//!   return) becomes a copy of it: executing the copy here is what the jump led to.
//! - A branch whose target is also where it falls through is dropped: both outcomes
//!   continue at the same place, and branches have no other effect.
//! - A `jump` to the block laid out right after it becomes a fall-through.

use std::collections::BTreeSet;

use pvm::Opcode;

use crate::cfg::Cfg;
use crate::lower::{Fix, Item};
use crate::opt::size;

/// Applies the rules above; returns whether anything changed.
pub fn thread_jumps(cfg: &mut Cfg) -> bool {
    let mut changed = retarget(cfg);
    changed |= copy_exits(cfg);
    changed |= drop_trivial_branches_and_jumps(cfg);
    changed
}

/// The block `label` leads to without doing anything, following empty blocks and
/// blocks that are only a jump.
fn destination(cfg: &Cfg, positions: &std::collections::BTreeMap<u64, usize>, label: u64) -> u64 {
    let mut seen = BTreeSet::new();
    let mut current = label;
    while seen.insert(current) {
        let Some(&position) = positions.get(&current) else { break };
        let block = &cfg.blocks[position];
        current = match (block.items.as_slice(), block.next) {
            ([], Some(next)) => next,
            ([Item { opcode: Opcode::Jump, fix: Fix::Target(target), .. }], None) => *target,
            _ => break,
        };
    }
    // On a cycle of empty blocks, `current` is a block on it: as good as any.
    current
}

fn retarget(cfg: &mut Cfg) -> bool {
    let positions = cfg.positions();
    let mut changes = Vec::new();
    for (n, block) in cfg.blocks.iter().enumerate() {
        if let Some(terminator) = block.terminator() {
            let fix = match terminator.fix {
                Fix::Target(target) => Fix::Target(destination(cfg, &positions, target)),
                Fix::Call { ret, target } => Fix::Call { ret, target: destination(cfg, &positions, target) },
                other => other,
            };
            if fix != terminator.fix {
                changes.push((n, fix));
            }
        }
    }
    let changed = !changes.is_empty();
    for (n, fix) in changes {
        cfg.blocks[n].items.last_mut().expect("has a terminator").fix = fix;
    }
    changed
}

fn copy_exits(cfg: &mut Cfg) -> bool {
    let positions = cfg.positions();
    let mut changes = Vec::new();
    for (n, block) in cfg.blocks.iter().enumerate() {
        let Some(&jump @ Item { opcode: Opcode::Jump, fix: Fix::Target(target), .. }) = block.terminator() else {
            continue;
        };
        let Some(&position) = positions.get(&target) else { continue };
        let exit = match cfg.blocks[position].items.as_slice() {
            [exit] if matches!(exit.opcode, Opcode::Trap | Opcode::JumpIndirect) && exit.fix == Fix::None => *exit,
            _ => continue,
        };
        if size(cfg.isa, &exit) <= size(cfg.isa, &jump) {
            changes.push((n, exit));
        }
    }
    let changed = !changes.is_empty();
    for (n, exit) in changes {
        *cfg.blocks[n].items.last_mut().expect("has a terminator") = exit;
    }
    changed
}

fn drop_trivial_branches_and_jumps(cfg: &mut Cfg) -> bool {
    let following: Vec<Option<u64>> = (0..cfg.blocks.len()).map(|n| cfg.blocks.get(n + 1).map(|b| b.label)).collect();
    let mut changed = false;
    for (block, following) in cfg.blocks.iter_mut().zip(following) {
        let Some(&Item { opcode, fix: Fix::Target(target), .. }) = block.terminator() else { continue };
        if is_branch(opcode) && block.next == Some(target) {
            block.items.pop();
            changed = true;
        } else if opcode == Opcode::Jump && following == Some(target) {
            block.items.pop();
            block.next = Some(target);
            changed = true;
        }
    }
    changed
}

/// Whether `opcode` is a conditional branch.
pub fn is_branch(opcode: Opcode) -> bool {
    opcode.ends_basic_block()
        && opcode.can_fall_through()
        && !matches!(opcode, Opcode::Fallthrough)
        && matches!(opcode.shape(), pvm::isa::Shape::RegImmOffset | pvm::isa::Shape::RegRegOffset)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cfg::tests::{cfg, fixed, item};
    use pvm::Opcode as O;

    fn jump(target: u64) -> Item {
        fixed(O::Jump, [0; 3], 0, Fix::Target(target))
    }

    #[test]
    fn branches_skip_empty_blocks_and_jumps() {
        let mut program = cfg(vec![
            (0, vec![fixed(O::BranchEqImm, [7, 0, 0], 0, Fix::Target(10))], Some(4)),
            (4, vec![], Some(6)),
            (6, vec![item(O::JumpIndirect, [0, 0, 0], 0, 0)], None),
            (10, vec![jump(20)], None),
            (20, vec![item(O::MoveReg, [7, 8, 0], 0, 0), jump(20)], None),
        ]);
        assert!(thread_jumps(&mut program));
        assert_eq!(program.blocks[0].items[0].fix, Fix::Target(20));
        assert_eq!(program.blocks[0].next, Some(4));
        assert!(!thread_jumps(&mut program));
    }

    #[test]
    fn jumps_to_exits_become_the_exit() {
        let ret = item(O::JumpIndirect, [0, 0, 0], 0, 0);
        let mut program = cfg(vec![
            (0, vec![jump(10)], None),
            (4, vec![jump(12)], None),
            (10, vec![ret], None),
            (12, vec![item(O::Trap, [0; 3], 0, 0)], None),
        ]);
        program.roots.insert(4);
        assert!(thread_jumps(&mut program));
        assert_eq!(program.blocks[0].items, [ret]);
        assert_eq!(program.blocks[1].items, [item(O::Trap, [0; 3], 0, 0)]);
    }

    #[test]
    fn trivial_branches_and_jumps_to_the_next_block_go() {
        let mut program = cfg(vec![
            (0, vec![fixed(O::BranchEq, [7, 8, 0], 0, Fix::Target(4))], Some(4)),
            (4, vec![item(O::MoveReg, [7, 8, 0], 0, 0), jump(8)], None),
            (8, vec![item(O::MoveReg, [8, 7, 0], 0, 0), item(O::Trap, [0; 3], 0, 0)], None),
        ]);
        assert!(thread_jumps(&mut program));
        assert_eq!((program.blocks[0].items.len(), program.blocks[0].next), (0, Some(4)));
        assert_eq!((program.blocks[1].items.len(), program.blocks[1].next), (1, Some(8)));
    }
}
