//! Gas: what each instruction costs, and what each basic block costs as a whole.
//!
//! Gas is charged per basic block, before the block runs (synchronous metering): a
//! block that cannot be paid for does not start, the gas is left unchanged and the
//! program counter stays at the block's start, so the host can refuel and resume.
//! The costs are backend-neutral: interpreter and recompiler charge the same plan.

use alloc::vec::Vec;

use crate::isa::Opcode;
use crate::program::Code;

/// The remaining gas. Signed like the reference's, although synchronous metering
/// never lets it go below zero.
pub type Gas = i64;

/// Per-instruction costs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CostModel {
    costs: Vec<u32>,
    invalid: u32,
}

impl CostModel {
    /// One unit per instruction, including traps and invalid instructions: the
    /// reference's default ("naive") model.
    pub fn naive() -> Self {
        CostModel { costs: alloc::vec![1; Opcode::ALL.len()], invalid: 1 }
    }

    /// The cost of one instruction (`None` = an invalid instruction).
    #[inline]
    pub fn cost(&self, opcode: Option<Opcode>) -> u32 {
        match opcode {
            Some(opcode) => self.costs[opcode as usize],
            None => self.invalid,
        }
    }

    /// Changes the cost of one instruction.
    pub fn set_cost(&mut self, opcode: Opcode, cost: u32) {
        self.costs[opcode as usize] = cost;
    }
}

impl Default for CostModel {
    fn default() -> Self {
        Self::naive()
    }
}

/// The cost of every basic block of a program.
#[derive(Clone, Debug)]
pub struct GasPlan {
    /// `(first instruction index, cost)` per block, in code order. A block that runs
    /// off the end of the code includes the implicit trap there.
    pub blocks: Vec<(usize, u32)>,
    /// The cost of the implicit trap at the end of the code, for a block that starts
    /// there (see [`crate::EndOfCode::ImplicitTrap`]).
    pub end_of_code_cost: u32,
}

impl GasPlan {
    /// Computes block costs with `model`.
    pub fn new(code: &Code, model: &CostModel) -> Self {
        let mut blocks = Vec::new();
        let mut current: Option<(usize, u32)> = None;
        for (index, instruction) in code.instructions().iter().enumerate() {
            let (start, cost) = current.get_or_insert((index, 0));
            *cost = cost.saturating_add(model.cost(instruction.opcode));
            if instruction.ends_basic_block() {
                blocks.push((*start, *cost));
                current = None;
            }
        }
        let implicit_trap = model.cost(Some(Opcode::Trap));
        if let Some((start, cost)) = current {
            blocks.push((start, cost.saturating_add(implicit_trap)));
        }
        GasPlan { blocks, end_of_code_cost: implicit_trap }
    }

    /// The cost of the basic block that contains instruction `index` (what entering
    /// it in the middle charges).
    pub fn cost_of_block_containing(&self, index: usize) -> u32 {
        let block = self.blocks.partition_point(|&(start, _)| start <= index);
        block.checked_sub(1).map_or(0, |block| self.blocks[block].1)
    }
}
