//! The program as a control-flow graph of basic blocks, for the optimiser ([`crate::opt`])
//! and the emitter.
//!
//! A block is named by a *label*: the ELF address of its first instruction (so code
//! addresses in data, return addresses and branch targets keep naming the same code
//! through every pass). Its items are PVM instructions; if the last one ends a basic
//! block it is the terminator. `next` is where control goes when the block does not end
//! in an unconditional transfer (after its last item, or when its branch is not taken).
//! Blocks stay in ELF address order; a `next` that is not the following block is
//! emitted as a `jump`.

use std::collections::{BTreeMap, BTreeSet};

use pvm::{InstructionSet, Opcode};

use crate::code::Code;
use crate::error::{LinkError, Result};
use crate::lower::{Fix, Item};

/// One basic block.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Block {
    pub label: u64,
    pub items: Vec<Item>,
    /// The successor when control falls off the end or a branch is not taken; `None`
    /// when the last item is an unconditional transfer (jump, call, return, trap).
    pub next: Option<u64>,
}

impl Block {
    /// The terminator, if the block has one.
    pub fn terminator(&self) -> Option<&Item> {
        self.items.last().filter(|item| item.opcode.ends_basic_block())
    }

    /// The items before the terminator.
    pub fn body(&self) -> &[Item] {
        match self.terminator() {
            Some(_) => &self.items[..self.items.len() - 1],
            None => &self.items,
        }
    }
}

/// How control reaches a block from another.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Edge {
    /// A branch, jump or fall-through: registers are as the block left them.
    Direct,
    /// A call (`load_imm_and_jump`): the link register is written on the way.
    Call { link: u8 },
}

/// The whole program.
#[derive(Clone, Debug)]
pub struct Cfg {
    pub isa: InstructionSet,
    /// Whether registers are 64 bits wide.
    pub is_64: bool,
    /// In address order.
    pub blocks: Vec<Block>,
    /// Labels entered from outside the code: exports and code addresses stored in data.
    pub roots: BTreeSet<u64>,
}

/// The next label for blocks without an ELF address (only after a terminator in the
/// middle of one instruction's lowering); counts down from the top, where no code is.
const SYNTHETIC_LABELS: u64 = u64::MAX - (1 << 32);

impl Cfg {
    /// Splits the translated code into blocks. `is_code` tells code addresses from data
    /// ones; `data_value` resolves a data address (a [`Fix::Addr`] that is not code) to
    /// its VM address, so that such loads become plain constants. `roots` are the
    /// exported addresses and the code addresses stored in data.
    pub fn build(
        isa: InstructionSet,
        is_64: bool,
        code: &Code,
        roots: BTreeSet<u64>,
        is_code: impl Fn(u64) -> bool,
        data_value: impl Fn(u64, u64) -> Result<u32>,
    ) -> Result<Cfg> {
        let addresses: BTreeSet<u64> = code.insns.iter().map(|insn| insn.address).collect();
        let mut leaders = roots.clone();
        leaders.extend(code.insns.first().map(|insn| insn.address));
        let mut after_terminator = false;
        for insn in &code.insns {
            if after_terminator {
                leaders.insert(insn.address);
            }
            for item in &insn.items {
                for label in fix_labels(item.fix, &is_code) {
                    if !addresses.contains(&label) {
                        return Err(LinkError::BadCodeAddress(label));
                    }
                    leaders.insert(label);
                }
            }
            after_terminator = insn.items.last().is_some_and(|item| item.opcode.ends_basic_block());
        }
        if let Some(&root) = roots.iter().find(|root| !addresses.contains(root)) {
            return Err(LinkError::BadCodeAddress(root));
        }

        let mut blocks: Vec<Block> = Vec::new();
        let mut synthetic = SYNTHETIC_LABELS;
        for insn in &code.insns {
            if blocks.is_empty() || leaders.contains(&insn.address) {
                blocks.push(Block { label: insn.address, items: Vec::new(), next: None });
            }
            for item in &insn.items {
                let mut item = *item;
                if let Fix::Addr(address) = item.fix {
                    if !is_code(address) {
                        item.args.imm1 = data_value(address, insn.address)?;
                        item.fix = Fix::None;
                    }
                }
                let current = blocks.last_mut().expect("a block was pushed above");
                if current.terminator().is_some() {
                    // A terminator in the middle of one instruction's items.
                    synthetic -= 1;
                    blocks.push(Block { label: synthetic, items: Vec::new(), next: None });
                }
                blocks.last_mut().expect("a block was pushed above").items.push(item);
            }
        }
        let labels: Vec<u64> = blocks.iter().map(|b| b.label).collect();
        for (n, block) in blocks.iter_mut().enumerate() {
            let falls_through = block.terminator().is_none_or(|t| t.opcode.can_fall_through());
            if falls_through {
                match labels.get(n + 1) {
                    Some(&next) => block.next = Some(next),
                    // Code that would run off the end traps.
                    None => block.items.push(Item { opcode: Opcode::Trap, args: Default::default(), fix: Fix::None }),
                }
            }
        }
        Ok(Cfg { isa, is_64, blocks, roots })
    }

    /// Label → position in `blocks`.
    pub fn positions(&self) -> BTreeMap<u64, usize> {
        self.blocks.iter().enumerate().map(|(n, b)| (b.label, n)).collect()
    }

    /// Labels that are reached through the jump table (or from outside): roots, return
    /// addresses and code addresses loaded into registers. Nothing is known about the
    /// registers on entry to these.
    pub fn dynamic_labels(&self) -> BTreeSet<u64> {
        let mut labels = self.roots.clone();
        for item in self.blocks.iter().flat_map(|b| &b.items) {
            labels.extend(dynamic_label(item.fix));
        }
        labels
    }

    /// How many direct references (branches, jumps, calls, fall-throughs) each label has.
    pub fn reference_counts(&self) -> BTreeMap<u64, usize> {
        let mut counts = BTreeMap::new();
        for block in &self.blocks {
            for (label, _) in successors(block) {
                *counts.entry(label).or_insert(0) += 1;
            }
        }
        counts
    }
}

/// The labels an operand refers to (code addresses only).
fn fix_labels(fix: Fix, is_code: &impl Fn(u64) -> bool) -> Vec<u64> {
    match fix {
        Fix::None => Vec::new(),
        Fix::Addr(address) if is_code(address) => vec![address],
        Fix::Addr(_) => Vec::new(),
        Fix::Target(target) => vec![target],
        Fix::Call { ret, target } => vec![ret, target],
        Fix::CallIndirect { ret } => vec![ret],
    }
}

/// The label an operand makes reachable through the jump table, if any.
pub fn dynamic_label(fix: Fix) -> Option<u64> {
    match fix {
        Fix::Addr(label) | Fix::Call { ret: label, .. } | Fix::CallIndirect { ret: label } => Some(label),
        Fix::None | Fix::Target(_) => None,
    }
}

/// The blocks control can go to directly from `block`, with how.
pub fn successors(block: &Block) -> impl Iterator<Item = (u64, Edge)> + '_ {
    let jump = block.terminator().and_then(|item| match item.fix {
        Fix::Target(target) => Some((target, Edge::Direct)),
        Fix::Call { target, .. } => Some((target, Edge::Call { link: item.args.regs[0] })),
        _ => None,
    });
    jump.into_iter().chain(block.next.map(|next| (next, Edge::Direct)))
}

#[cfg(test)]
pub mod tests {
    use super::*;
    use crate::code::Insn;
    use pvm::program::Args;
    use pvm::Opcode as O;

    /// An item without late-bound operands.
    pub fn item(opcode: O, regs: [u8; 3], imm1: u32, imm2: u32) -> Item {
        Item { opcode, args: Args { regs, imm1, imm2 }, fix: Fix::None }
    }

    /// An item with a late-bound operand.
    pub fn fixed(opcode: O, regs: [u8; 3], imm1: u32, fix: Fix) -> Item {
        Item { opcode, args: Args { regs, imm1, imm2: 0 }, fix }
    }

    /// A 64-bit Latest64 program from `(label, items, next)` triples; the first block is the root.
    pub fn cfg(blocks: Vec<(u64, Vec<Item>, Option<u64>)>) -> Cfg {
        let roots = blocks.first().map(|b| b.0).into_iter().collect();
        let blocks = blocks.into_iter().map(|(label, items, next)| Block { label, items, next }).collect();
        Cfg { isa: InstructionSet::Latest64, is_64: true, blocks, roots }
    }

    #[test]
    fn blocks_start_at_targets_and_after_terminators() {
        let insn = |address, items| Insn { address, items };
        let code = Code {
            insns: vec![
                insn(0, vec![item(O::LoadImm, [7, 0, 0], 1, 0)]),
                insn(4, vec![fixed(O::BranchEqImm, [7, 0, 0], 0, Fix::Target(12))]),
                insn(8, vec![item(O::AddImm64, [7, 7, 0], 1, 0)]),
                insn(12, vec![]),
                insn(14, vec![fixed(O::LoadImm, [8, 0, 0], 0, Fix::Addr(0x1000))]),
                insn(18, vec![item(O::JumpIndirect, [0, 0, 0], 0, 0)]),
                insn(20, vec![item(O::Trap, [0; 3], 0, 0)]),
            ],
            imports: Vec::new(),
        };
        let cfg =
            Cfg::build(InstructionSet::Latest64, true, &code, [0].into(), |a| a < 0x1000, |_, _| Ok(0x20000)).unwrap();
        let shape: Vec<(u64, usize, Option<u64>)> =
            cfg.blocks.iter().map(|b| (b.label, b.items.len(), b.next)).collect();
        assert_eq!(shape, [(0, 2, Some(8)), (8, 1, Some(12)), (12, 2, None), (20, 1, None)]);
        // The data address became a constant.
        assert_eq!((cfg.blocks[2].items[0].fix, cfg.blocks[2].items[0].args.imm1), (Fix::None, 0x20000));
    }

    #[test]
    fn bad_targets_are_errors() {
        let code = Code {
            insns: vec![Insn { address: 0, items: vec![fixed(O::Jump, [0; 3], 0, Fix::Target(6))] }],
            imports: Vec::new(),
        };
        let result = Cfg::build(InstructionSet::Latest64, true, &code, [0].into(), |_| true, |_, _| Ok(0));
        assert!(matches!(result, Err(LinkError::BadCodeAddress(6))));
    }

    #[test]
    fn code_that_runs_off_the_end_traps() {
        let code = Code {
            insns: vec![Insn { address: 0, items: vec![item(O::LoadImm, [7, 0, 0], 1, 0)] }],
            imports: Vec::new(),
        };
        let cfg = Cfg::build(InstructionSet::Latest64, true, &code, [0].into(), |_| true, |_, _| Ok(0)).unwrap();
        assert_eq!(cfg.blocks[0].items.last().unwrap().opcode, O::Trap);
        assert_eq!(cfg.blocks[0].next, None);
    }
}
