//! Register liveness and dead code elimination.
//!
//! A register is live at a point if some path from there reads it before overwriting
//! it. Paths are followed through branches, jumps, fall-throughs and into called
//! functions; where control goes somewhere the analysis cannot see (a return or any
//! other indirect jump) every register counts as live, and at a trap none does (a
//! trap ends the program). Removing a side-effect-free instruction whose destination is
//! dead right after it is then invisible: nothing reads what it computed.

use crate::cfg::{successors, Block, Cfg};
use crate::lower::Item;
use crate::opt::effects::{effects, Regs};
use pvm::Opcode;

/// The registers live where control leaves each block (indexed like `cfg.blocks`).
pub fn live_out(cfg: &Cfg) -> Vec<Regs> {
    let positions = cfg.positions();
    // Per block: what it passes on by itself, its successors (`None`: a successor that
    // does not exist, which would be a bug; counting everything as live there keeps the
    // analysis safe), and what it reads before writing and what it writes.
    let summaries: Vec<(Regs, Vec<Option<usize>>, Regs, Regs)> = cfg
        .blocks
        .iter()
        .map(|block| {
            let successors = successors(block).map(|(label, _)| positions.get(&label).copied()).collect();
            let (mut uses, mut defs) = (Regs::NONE, Regs::NONE);
            for item in block.items.iter().rev() {
                let effects = effects(item);
                uses = uses.minus(effects.writes).union(effects.reads);
                defs = defs.union(effects.writes);
            }
            (exit_liveness(block), successors, uses, defs)
        })
        .collect();
    let mut live_in = vec![Regs::NONE; cfg.blocks.len()];
    let mut live_out = vec![Regs::NONE; cfg.blocks.len()];
    loop {
        let mut changed = false;
        for (n, (exit, successors, uses, defs)) in summaries.iter().enumerate().rev() {
            let out =
                successors.iter().fold(*exit, |out, successor| out.union(successor.map_or(Regs::ALL, |p| live_in[p])));
            let inside = uses.union(out.minus(*defs));
            if out != live_out[n] || inside != live_in[n] {
                (live_out[n], live_in[n]) = (out, inside);
                changed = true;
            }
        }
        if !changed {
            return live_out;
        }
    }
}

/// What the terminator itself passes on, besides the successors' live registers.
fn exit_liveness(block: &Block) -> Regs {
    match block.terminator().map(|t| t.opcode) {
        Some(Opcode::JumpIndirect | Opcode::LoadImmAndJumpIndirect) => Regs::ALL,
        _ => Regs::NONE,
    }
}

/// The registers live before `items`, given those live after them.
pub fn live_before(items: &[Item], mut live: Regs) -> Regs {
    for item in items.iter().rev() {
        let effects = effects(item);
        live = live.minus(effects.writes).union(effects.reads);
    }
    live
}

/// Which of `items` to keep: all but the side-effect-free ones whose result is dead.
pub fn keep_mask(items: &[Item], mut live: Regs) -> Vec<bool> {
    let mut keep = vec![true; items.len()];
    for (n, item) in items.iter().enumerate().rev() {
        let effects = effects(item);
        if effects.pure && effects.writes.minus(live) == effects.writes && effects.writes != Regs::NONE {
            keep[n] = false;
            continue;
        }
        live = live.minus(effects.writes).union(effects.reads);
    }
    keep
}

/// `items` without the dead ones.
pub fn without_dead(items: &[Item], live_out: Regs) -> Vec<Item> {
    let keep = keep_mask(items, live_out);
    items.iter().zip(keep).filter(|(_, keep)| *keep).map(|(item, _)| *item).collect()
}

/// Removes dead computations everywhere; returns whether any went.
pub fn eliminate_dead_code(cfg: &mut Cfg) -> bool {
    let live_out = live_out(cfg);
    let mut changed = false;
    for (block, live) in cfg.blocks.iter_mut().zip(live_out) {
        let items = without_dead(&block.items, live);
        if items.len() != block.items.len() {
            block.items = items;
            changed = true;
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cfg::tests::{cfg, fixed, item};
    use crate::lower::Fix;
    use pvm::Opcode as O;

    #[test]
    fn dead_results_go_live_ones_stay() {
        let mut program = cfg(vec![
            (
                0,
                vec![
                    item(O::LoadImm, [10, 0, 0], 16, 0),       // a3: overwritten in both successors
                    item(O::LoadImm, [11, 0, 0], 1, 0),        // a4: read at 20
                    item(O::LoadImm, [12, 0, 0], 1, 0),        // a5: read through the return
                    item(O::AddImm64, [8, 9, 0], 1, 0),        // a1: overwritten below
                    item(O::LoadIndirectU64, [8, 1, 0], 0, 0), // a load may trap: stays
                    fixed(O::BranchEqImm, [7, 0, 0], 0, Fix::Target(20)),
                ],
                Some(10),
            ),
            (10, vec![item(O::MoveReg, [10, 7, 0], 0, 0), item(O::JumpIndirect, [0, 0, 0], 0, 0)], None),
            (20, vec![item(O::Add64, [10, 11, 7], 0, 0), item(O::Trap, [0; 3], 0, 0)], None),
        ]);
        assert!(eliminate_dead_code(&mut program));
        let kept: Vec<O> = program.blocks[0].items.iter().map(|i| i.opcode).collect();
        assert_eq!(kept, [O::LoadImm, O::LoadImm, O::LoadIndirectU64, O::BranchEqImm]);
        assert_eq!(program.blocks[0].items[0].args.regs[0], 11);
        // Nothing is live at a trap: the add before it goes too.
        assert_eq!(program.blocks[2].items, [item(O::Trap, [0; 3], 0, 0)]);
        assert!(!eliminate_dead_code(&mut program));
    }

    #[test]
    fn calls_pass_liveness_into_the_callee() {
        let program = cfg(vec![
            (0, vec![fixed(O::LoadImmAndJump, [0, 0, 0], 0, Fix::Call { ret: 4, target: 8 })], None),
            (4, vec![item(O::Trap, [0; 3], 0, 0)], None),
            (8, vec![item(O::MoveReg, [7, 8, 0], 0, 0), item(O::Trap, [0; 3], 0, 0)], None),
        ]);
        let live = live_out(&program);
        assert_eq!(live[0], Regs::one(8));
        // ... and the call's link register write hides the callee's use of it.
        assert_eq!(live_before(&program.blocks[0].items, live[0]), Regs::one(8));
    }
}
