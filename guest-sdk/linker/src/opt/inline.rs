//! Inlining of tiny functions.
//!
//! A call (`load_imm_and_jump link, ret, f`) of a function `f` that is one block ending
//! in a trap, or in a return through the same link register (`jump_indirect link, 0`)
//! without writing that register first, is replaced by `load_imm link, ret` (what the
//! call did to the link register), `f`'s body, and then the trap, or a fall-through to
//! `ret` (where `f`'s return would have gone). That is the same sequence of effects
//! without the two jumps. The `load_imm` usually turns out dead (a trap follows, or the
//! caller reloads its link register) and goes in [`super::liveness`]; with it the
//! return address leaves the jump table.
//!
//! This is done when the inlined code (with the `load_imm` unless the link register is
//! dead after it) is no larger than the call, or when this call is the function's only
//! use (the function then disappears). Panic paths are the typical case:
//! `core::panicking` functions that only trap, and calls of them, fold into one `trap`.

use crate::cfg::{Block, Cfg};
use crate::lower::{Fix, Item};
use crate::opt::effects::{effects, Regs};
use crate::opt::{liveness, size};
use pvm::program::Args;
use pvm::Opcode;

/// Upper bound on inlining sweeps per invocation (chains of trap-only functions collapse
/// one level per sweep).
const MAX_SWEEPS: usize = 8;

/// Inlines eligible calls; returns whether anything changed.
pub fn inline_calls(cfg: &mut Cfg) -> bool {
    let mut changed = false;
    for _ in 0..MAX_SWEEPS {
        if !sweep(cfg) {
            break;
        }
        changed = true;
    }
    changed
}

/// How a function ends.
enum Ending {
    Trap,
    Return,
}

/// `callee`'s body and ending if a call through `link` may be inlined.
fn inlinable(callee: &Block, link: u8) -> Option<(&[Item], Ending)> {
    if callee.next.is_some() {
        return None;
    }
    let terminator = callee.terminator()?;
    let body = callee.body();
    match terminator.opcode {
        Opcode::Trap => Some((body, Ending::Trap)),
        Opcode::JumpIndirect
            if terminator.args.regs[0] == link
                && terminator.args.imm1 == 0
                && terminator.fix == Fix::None
                && body.iter().all(|item| !effects(item).clobbers.union(effects(item).writes).contains(link)) =>
        {
            Some((body, Ending::Return))
        }
        _ => None,
    }
}

fn sweep(cfg: &mut Cfg) -> bool {
    let positions = cfg.positions();
    let dynamic = cfg.dynamic_labels();
    let references = cfg.reference_counts();
    let live_out = liveness::live_out(cfg);
    let live_in = |label: u64| positions.get(&label).map(|&p| liveness::live_before(&cfg.blocks[p].items, live_out[p]));
    let mut decisions = Vec::new();
    for n in 0..cfg.blocks.len() {
        let Some(&call) = cfg.blocks[n].terminator() else { continue };
        let (Opcode::LoadImmAndJump, Fix::Call { ret, target }) = (call.opcode, call.fix) else { continue };
        let Some(&callee_position) = positions.get(&target) else { continue };
        if callee_position == n {
            continue;
        }
        let link = call.args.regs[0];
        let Some((body, ending)) = inlinable(&cfg.blocks[callee_position], link) else { continue };
        let set_link =
            Item { opcode: Opcode::LoadImm, args: Args { regs: [link, 0, 0], imm1: 0, imm2: 0 }, fix: Fix::Addr(ret) };
        let mut inlined = vec![set_link];
        inlined.extend_from_slice(body);
        let next = match ending {
            Ending::Trap => {
                inlined.push(Item { opcode: Opcode::Trap, args: Args::default(), fix: Fix::None });
                None
            }
            Ending::Return => Some(ret),
        };
        let only_use = references.get(&target) == Some(&1) && !dynamic.contains(&target);
        let link_after = next.and_then(live_in).unwrap_or(Regs::NONE);
        let link_needed = liveness::live_before(body, link_after).contains(link);
        let inlined_size: usize = inlined.iter().skip(usize::from(!link_needed)).map(|item| size(cfg.isa, item)).sum();
        if only_use || inlined_size <= size(cfg.isa, &call) {
            decisions.push((n, inlined, next));
        }
    }
    let changed = !decisions.is_empty();
    for (n, inlined, next) in decisions {
        let block = &mut cfg.blocks[n];
        block.items.pop();
        block.items.extend(inlined);
        block.next = next;
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cfg::tests::{cfg, fixed, item};
    use crate::opt::{liveness, unreachable};
    use pvm::Opcode as O;

    fn call(ret: u64, target: u64) -> Item {
        fixed(O::LoadImmAndJump, [0, 0, 0], 0, Fix::Call { ret, target })
    }

    #[test]
    fn calls_of_trap_functions_become_traps() {
        let mut program = cfg(vec![
            (0, vec![item(O::MoveReg, [7, 8, 0], 0, 0), call(4, 20)], None),
            (4, vec![item(O::JumpIndirect, [0, 0, 0], 0, 0)], None),
            (10, vec![call(14, 20)], None),
            (14, vec![item(O::Trap, [0; 3], 0, 0)], None),
            (20, vec![call(24, 30)], None),
            (24, vec![item(O::Trap, [0; 3], 0, 0)], None),
            (30, vec![item(O::Trap, [0; 3], 0, 0)], None),
        ]);
        program.roots.insert(10);
        assert!(inline_calls(&mut program));
        liveness::eliminate_dead_code(&mut program);
        unreachable::remove_unreachable_blocks(&mut program);
        let trap = item(O::Trap, [0; 3], 0, 0);
        assert_eq!(program.blocks[0].items, [trap]);
        let labels: Vec<u64> = program.blocks.iter().map(|b| b.label).collect();
        assert_eq!(labels, [0, 10]);
    }

    #[test]
    fn tiny_functions_that_return_are_inlined_before_their_return_address() {
        let ecalli = item(O::Ecalli, [0; 3], 0, 0);
        let mut program = cfg(vec![
            (0, vec![item(O::Add64, [5, 8, 7], 0, 0), call(4, 20)], None),
            (4, vec![item(O::LoadIndirectU64, [0, 1, 0], 8, 0), item(O::JumpIndirect, [0, 0, 0], 0, 0)], None),
            (20, vec![ecalli, item(O::JumpIndirect, [0, 0, 0], 0, 0)], None),
        ]);
        assert!(inline_calls(&mut program));
        assert_eq!(
            program.blocks[0].items[1],
            Item { opcode: O::LoadImm, args: Default::default(), fix: Fix::Addr(4) }
        );
        assert_eq!(program.blocks[0].items[2], ecalli);
        assert_eq!(program.blocks[0].next, Some(4));
        // The link register is reloaded at 4 before anyone reads it: the load goes.
        liveness::eliminate_dead_code(&mut program);
        assert_eq!(program.blocks[0].items, [item(O::Add64, [5, 8, 7], 0, 0), ecalli]);
    }

    #[test]
    fn functions_that_change_the_link_register_or_are_large_stay() {
        let ret = item(O::JumpIndirect, [0, 0, 0], 0, 0);
        let big: Vec<Item> = (0..4).map(|n| item(O::StoreImmU64, [0; 3], 0x20000 + 8 * n, 0)).collect();
        let mut program = cfg(vec![
            (0, vec![call(4, 10)], None),
            (4, vec![call(8, 20)], None),
            (8, vec![call(9, 20)], None),
            (9, vec![item(O::Trap, [0; 3], 0, 0)], None),
            (10, vec![item(O::LoadImm, [0, 0, 0], 2, 0), ret], None),
            (20, [big, vec![ret]].concat(), None),
        ]);
        assert!(!inline_calls(&mut program));
    }

    #[test]
    fn the_link_register_load_counts_when_it_must_stay() {
        let ret = item(O::JumpIndirect, [0, 0, 0], 0, 0);
        let increment = item(O::AddImm64, [7, 7, 0], 1, 0);
        // The caller returns right after the call: the link register must hold the
        // return address, and `load_imm` + body would be larger than the call.
        let program = |after: Vec<Item>| {
            let mut program = cfg(vec![
                (0, vec![call(4, 20)], None),
                (4, after, None),
                (10, vec![call(14, 20)], None),
                (14, vec![item(O::Trap, [0; 3], 0, 0)], None),
                (20, vec![increment, ret], None),
                (30, vec![call(34, 20)], None),
                (34, vec![ret], None),
            ]);
            program.roots.extend([10, 30]);
            program
        };
        let mut returns = program(vec![ret]);
        assert!(inline_calls(&mut returns));
        assert_eq!(returns.blocks[0].items, [call(4, 20)]);
        // (The other call returns into a trap, where nothing is live.)
        assert_eq!(returns.blocks[2].items[1], increment);
        // Reloaded first: the link register is dead, the body alone is smaller.
        let mut reloads = program(vec![item(O::LoadIndirectU64, [0, 1, 0], 8, 0), ret]);
        assert!(inline_calls(&mut reloads));
        assert_eq!(reloads.blocks[0].items[1], increment);
    }
}
