//! Translation of decoded instructions into the interpreter's internal form: a flat
//! array of fixed-size operations with resolved register indices, immediates and
//! branch targets (as operation indices), plus one gas-charging operation at the
//! start of every basic block. The executor never looks at the wire encoding.

use alloc::collections::BTreeMap;
use alloc::sync::Arc;
use alloc::vec::Vec;

use crate::api::EndOfCode;
use crate::gas::CostModel;
use crate::isa::{InstructionSet, Opcode};
use crate::program::{Instruction, Layout, RawCode};

/// Marks a jump-table slot or target that is not a valid jump destination.
pub(crate) const INVALID_TARGET: u32 = u32::MAX;

/// One operation. 16 bytes; which fields matter depends on `kind`.
#[derive(Copy, Clone, Debug)]
#[repr(C)]
pub(crate) struct Op {
    pub kind: Kind,
    /// Destination register.
    pub d: u8,
    /// First source register.
    pub a: u8,
    /// Second source (or base) register.
    pub b: u8,
    /// An operation index (branches), an address or address offset (stores of
    /// immediates, indirect jumps with a value), or a jump target pc.
    pub target: u32,
    /// Immediate, already sign-extended to 64 bits (instructions with 32-bit
    /// semantics use its low half): a value, an address or offset, or a gas cost.
    pub imm: u64,
}

macro_rules! define_kinds {
    (@instruction $kind:ident) => {
        Some((Opcode::$kind, true))
    };
    (@instruction $kind:ident internal) => {
        None
    };
    (@instruction $kind:ident w32 $base:ident) => {
        Some((Opcode::$base, false))
    };
    (
        $($kind:ident $(($($tag:tt)+))?),+ ;
        superinstructions: $($fused:ident = $first:ident + $second:ident),+ $(,)?
    ) => {
        /// Operation kinds: one per instruction, named after its opcode, and a few of the
        /// translator's own. The 32-bit instruction set keeps registers sign-extended, so
        /// it shares most kinds with the 64-bit ones; the few that differ have `W32`
        /// forms. Superinstructions (see [`Kind::parts`]) come last.
        #[derive(Copy, Clone, PartialEq, Eq, Debug)]
        #[repr(u8)]
        pub(crate) enum Kind { $($kind,)+ $($fused,)+ }

        impl Kind {
            /// The instruction an operation of this kind executes, and whether with the
            /// 64-bit instruction set's semantics (the `is_64_bit` of
            /// [`crate::semantics`]; `false` for the `W32` kinds). `None` for the
            /// translator's own kinds and for superinstructions.
            #[inline(always)]
            pub const fn instruction(self) -> Option<(Opcode, bool)> {
                match self {
                    $(Kind::$kind => define_kinds!(@instruction $kind $($($tag)+)?),)+
                    _ => None,
                }
            }

            /// Every superinstruction.
            pub const SUPERINSTRUCTIONS: &'static [Kind] = &[$(Kind::$fused),+];

            /// Every kind.
            const ALL: &'static [Kind] = &[$(Kind::$kind,)+ $(Kind::$fused,)+];

            /// For a superinstruction: the kinds of the two operations it executes, its
            /// own (whose fields it carries) and the next one's.
            pub const fn parts(self) -> Option<(Kind, Kind)> {
                match self {
                    $(Kind::$fused => Some((Kind::$first, Kind::$second)),)+
                    _ => None,
                }
            }

            /// The superinstruction that executes `first` and then `second`, if any.
            pub fn fuse(first: Kind, second: Kind) -> Option<Kind> {
                match (first, second) {
                    $((Kind::$first, Kind::$second) => Some(Kind::$fused),)+
                    _ => None,
                }
            }
        }
    };
}
define_kinds! {
    // Each kind is named after the instruction it executes, but those marked `(internal)`
    // (the translator's own) and `(w32 X)` (the 32-bit form of instruction `X`).
    // Reordering them changes the executor's code layout, and its speed slightly.
    ChargeGas (internal), Translate (internal), Trap, Invalid (internal), InvalidBranch (internal), Ecalli, Sbrk, Memset,
    Jump, JumpIndirect, LoadImmAndJump, LoadImmAndJumpIndirect,
    BranchEq, BranchNotEq, BranchLessUnsigned, BranchLessSigned, BranchGreaterOrEqualUnsigned, BranchGreaterOrEqualSigned,
    BranchEqImm, BranchNotEqImm, BranchLessUnsignedImm, BranchLessOrEqualUnsignedImm, BranchGreaterOrEqualUnsignedImm,
    BranchGreaterUnsignedImm, BranchLessSignedImm, BranchLessOrEqualSignedImm, BranchGreaterOrEqualSignedImm, BranchGreaterSignedImm,
    LoadImm, LoadImm64, MoveReg,
    LoadU8, LoadI8, LoadU16, LoadI16, LoadU32, LoadI32, LoadU64,
    StoreU8, StoreU16, StoreU32, StoreU64,
    LoadIndirectU8, LoadIndirectI8, LoadIndirectU16, LoadIndirectI16, LoadIndirectU32, LoadIndirectI32, LoadIndirectU64,
    StoreIndirectU8, StoreIndirectU16, StoreIndirectU32, StoreIndirectU64,
    StoreImmU8, StoreImmU16, StoreImmU32, StoreImmU64,
    StoreImmIndirectU8, StoreImmIndirectU16, StoreImmIndirectU32, StoreImmIndirectU64,
    CountSetBits64, CountSetBits32, CountLeadingZeroBits64, CountLeadingZeroBits32,
    CountTrailingZeroBits64, CountTrailingZeroBits32, SignExtend8, SignExtend16, ZeroExtend16, ReverseByte,
    ReverseByteW32 (w32 ReverseByte),
    AddImm32, AddImm64, AndImm, XorImm, OrImm, MulImm32, MulImm64, SetLessThanUnsignedImm, SetLessThanSignedImm,
    ShiftLogicalLeftImm32, ShiftLogicalRightImm32, ShiftArithmeticRightImm32,
    ShiftLogicalLeftImm64, ShiftLogicalRightImm64, ShiftArithmeticRightImm64,
    NegateAndAddImm32, NegateAndAddImm64, SetGreaterThanUnsignedImm, SetGreaterThanSignedImm,
    ShiftLogicalLeftImmAlt32, ShiftLogicalRightImmAlt32, ShiftArithmeticRightImmAlt32,
    ShiftLogicalLeftImmAlt64, ShiftLogicalRightImmAlt64, ShiftArithmeticRightImmAlt64,
    CmovIfZeroImm, CmovIfNotZeroImm, RotateRightImm32, RotateRightImmAlt32, RotateRightImm64, RotateRightImmAlt64,
    Add32, Sub32, Mul32, DivUnsigned32, DivSigned32, RemUnsigned32, RemSigned32,
    ShiftLogicalLeft32, ShiftLogicalRight32, ShiftArithmeticRight32,
    Add64, Sub64, Mul64, DivUnsigned64, DivSigned64, RemUnsigned64, RemSigned64,
    ShiftLogicalLeft64, ShiftLogicalRight64, ShiftArithmeticRight64,
    And, Xor, Or, MulUpperSignedSigned, MulUpperUnsignedUnsigned, MulUpperSignedUnsigned,
    MulUpperSignedSignedW32 (w32 MulUpperSignedSigned), MulUpperUnsignedUnsignedW32 (w32 MulUpperUnsignedUnsigned),
    MulUpperSignedUnsignedW32 (w32 MulUpperSignedUnsigned),
    SetLessThanUnsigned, SetLessThanSigned, CmovIfZero, CmovIfNotZero,
    RotateLeft64, RotateLeft32, RotateRight64, RotateRight32,
    AndInverted, OrInverted, Xnor, Maximum, MaximumUnsigned, Minimum, MinimumUnsigned;

    // The most frequent pairs of consecutive operations in the benchmark programs and
    // contracts (dynamic counts): one dispatch instead of two.
    superinstructions:
    ShiftLeftImm64ThenAdd64 = ShiftLogicalLeftImm64 + Add64,
    Add64ThenLoadIndirectU64 = Add64 + LoadIndirectU64,
    Add64ThenLoadIndirectU8 = Add64 + LoadIndirectU8,
    Add64ThenStoreIndirectU64 = Add64 + StoreIndirectU64,
    LoadIndirectU64ThenShiftLeft64 = LoadIndirectU64 + ShiftLogicalLeft64,
    ShiftLeft64ThenOr = ShiftLogicalLeft64 + Or,
    OrThenAdd64 = Or + Add64,
    OrThenOr = Or + Or,
    AddImm64ThenAddImm64 = AddImm64 + AddImm64,
    AddImm32ThenAddImm32 = AddImm32 + AddImm32,
    AndImmThenShiftLeftImm64 = AndImm + ShiftLogicalLeftImm64,
    AndImmThenOr = AndImm + Or,
    LoadIndirectU8ThenLoadIndirectU8 = LoadIndirectU8 + LoadIndirectU8,
    LoadIndirectU8ThenAndImm = LoadIndirectU8 + AndImm,
    LoadIndirectI32ThenLoadIndirectI32 = LoadIndirectI32 + LoadIndirectI32,
    StoreIndirectU8ThenAddImm64 = StoreIndirectU8 + AddImm64,
    StoreIndirectU8ThenAddImm32 = StoreIndirectU8 + AddImm32,
    StoreIndirectU32ThenAddImm32 = StoreIndirectU32 + AddImm32,
    StoreIndirectU64ThenAddImm64 = StoreIndirectU64 + AddImm64,
    StoreIndirectU32ThenStoreIndirectU32 = StoreIndirectU32 + StoreIndirectU32,
    OrThenCmovIfZeroImm = Or + CmovIfZeroImm,
    CmovIfZeroImmThenStoreIndirectU8 = CmovIfZeroImm + StoreIndirectU8,
    ShiftLeft32ThenAdd32 = ShiftLogicalLeft32 + Add32,
    ShiftLeft32ThenShiftLeftImm32 = ShiftLogicalLeft32 + ShiftLogicalLeftImm32,
    ShiftLeftImm32ThenAddImm32 = ShiftLogicalLeftImm32 + AddImm32,
    ShiftLeftImm32ThenAdd32 = ShiftLogicalLeftImm32 + Add32,
    ShiftLeftImm32ThenAndImm = ShiftLogicalLeftImm32 + AndImm,
    ShiftLeftImm64ThenAndImm = ShiftLogicalLeftImm64 + AndImm,
    ShiftRightImm32ThenCmovIfNotZeroImm = ShiftLogicalRightImm32 + CmovIfNotZeroImm,
    ShiftRight32ThenAndImm = ShiftLogicalRight32 + AndImm,
    ShiftRight32ThenShiftRight32 = ShiftLogicalRight32 + ShiftLogicalRight32,
    ShiftArithmeticRightImm32ThenAnd = ShiftArithmeticRightImm32 + And,
    NegateAndAddImm32ThenShiftRight32 = NegateAndAddImm32 + ShiftLogicalRight32,
    NegateAndAddImm64ThenShiftRight64 = NegateAndAddImm64 + ShiftLogicalRight64,
    AddImm32ThenShiftLeft32 = AddImm32 + ShiftLogicalLeft32,
    AddImm32ThenMoveReg = AddImm32 + MoveReg,
    AddImm64ThenMoveReg = AddImm64 + MoveReg,
    AddImm32ThenNegateAndAddImm32 = AddImm32 + NegateAndAddImm32,
    AddImm64ThenNegateAndAddImm64 = AddImm64 + NegateAndAddImm64,
    AddImm32ThenStoreIndirectU32 = AddImm32 + StoreIndirectU32,
    AddImm64ThenStoreIndirectU32 = AddImm64 + StoreIndirectU32,
    AndImmThenShiftLeft32 = AndImm + ShiftLogicalLeft32,
    AndImmThenShiftLeftImm32 = AndImm + ShiftLogicalLeftImm32,
    AndThenLoadIndirectI32 = And + LoadIndirectI32,
    Add32ThenShiftArithmeticRightImm32 = Add32 + ShiftArithmeticRightImm32,
    Add32ThenOr = Add32 + Or,
    Add32ThenLoadIndirectU8 = Add32 + LoadIndirectU8,
    Add32ThenLoadIndirectI32 = Add32 + LoadIndirectI32,
    Add64ThenLoadIndirectI32 = Add64 + LoadIndirectI32,
    CmovIfNotZeroImmThenAdd32 = CmovIfNotZeroImm + Add32,
    OrThenStoreIndirectU32 = Or + StoreIndirectU32,
    LoadIndirectI32ThenShiftRightImm32 = LoadIndirectI32 + ShiftLogicalRightImm32,
    LoadIndirectI32ThenAddImm32 = LoadIndirectI32 + AddImm32,
    LoadIndirectI32ThenAddImm64 = LoadIndirectI32 + AddImm64,
    StoreIndirectU32ThenLoadIndirectI32 = StoreIndirectU32 + LoadIndirectI32,
    // Function prologues and epilogues, argument set-up: in all compiled code.
    AddImm64ThenStoreIndirectU64 = AddImm64 + StoreIndirectU64,
    StoreIndirectU64ThenStoreIndirectU64 = StoreIndirectU64 + StoreIndirectU64,
    LoadIndirectU64ThenLoadIndirectU64 = LoadIndirectU64 + LoadIndirectU64,
    LoadIndirectU64ThenAddImm64 = LoadIndirectU64 + AddImm64,
    LoadImmThenLoadImm = LoadImm + LoadImm,
    MoveRegThenMoveReg = MoveReg + MoveReg,
    // A straight-line operation and the branch or jump that ends its block.
    AddImm64ThenBranchLessUnsigned = AddImm64 + BranchLessUnsigned,
    AddImm32ThenBranchLessUnsigned = AddImm32 + BranchLessUnsigned,
    AddImm64ThenBranchNotEq = AddImm64 + BranchNotEq,
    AddImm32ThenBranchNotEq = AddImm32 + BranchNotEq,
    ShiftRightImm64ThenBranchGreaterOrEqualUnsigned = ShiftLogicalRightImm64 + BranchGreaterOrEqualUnsigned,
    StoreIndirectU64ThenBranchGreaterOrEqualUnsigned = StoreIndirectU64 + BranchGreaterOrEqualUnsigned,
    LoadIndirectI32ThenBranchGreaterOrEqualUnsigned = LoadIndirectI32 + BranchGreaterOrEqualUnsigned,
    LoadIndirectU8ThenBranchEqImm = LoadIndirectU8 + BranchEqImm,
    ShiftRightImm32ThenBranchGreaterOrEqualUnsigned = ShiftLogicalRightImm32 + BranchGreaterOrEqualUnsigned,
    AddImm32ThenBranchEqImm = AddImm32 + BranchEqImm,
    AddImm64ThenBranchEqImm = AddImm64 + BranchEqImm,
    MoveRegThenBranchNotEqImm = MoveReg + BranchNotEqImm,
}

impl Kind {
    /// Whether this is a conditional branch.
    pub const fn is_branch(self) -> bool {
        matches!(
            self,
            Kind::BranchEq
                | Kind::BranchNotEq
                | Kind::BranchLessUnsigned
                | Kind::BranchLessSigned
                | Kind::BranchGreaterOrEqualUnsigned
                | Kind::BranchGreaterOrEqualSigned
                | Kind::BranchEqImm
                | Kind::BranchNotEqImm
                | Kind::BranchLessUnsignedImm
                | Kind::BranchLessOrEqualUnsignedImm
                | Kind::BranchGreaterOrEqualUnsignedImm
                | Kind::BranchGreaterUnsignedImm
                | Kind::BranchLessSignedImm
                | Kind::BranchLessOrEqualSignedImm
                | Kind::BranchGreaterOrEqualSignedImm
                | Kind::BranchGreaterSignedImm
        )
    }
}

// What an operation's kind implies about it, for [`Compiled::check_invariants`].
/// It has an operation index as its target.
const HAS_TARGET: u8 = 1;
/// Execution can go on to the next operation.
const CAN_CONTINUE: u8 = 2;
/// It is a conditional branch (its not-taken side is the next operation).
const IS_BRANCH: u8 = 4;
/// It is a superinstruction (the next operation is its second part).
const IS_FUSED: u8 = 8;

/// [`HAS_TARGET`], [`CAN_CONTINUE`], [`IS_BRANCH`] and [`IS_FUSED`] of each kind.
static KIND_INVARIANTS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut index = 0;
    while index < Kind::ALL.len() {
        let kind = Kind::ALL[index];
        table[kind as usize] = kind.invariants();
        index += 1;
    }
    table
};

impl Kind {
    /// What an operation of this kind implies: a superinstruction starts like its first
    /// part, which is straight-line code.
    const fn invariants(self) -> u8 {
        let (kind, fused) = match self.parts() {
            Some((first, _)) => (first, IS_FUSED),
            None => (self, 0),
        };
        fused
            | match kind {
                Kind::Trap | Kind::Invalid | Kind::InvalidBranch | Kind::Translate => 0,
                Kind::Jump | Kind::LoadImmAndJump => HAS_TARGET,
                Kind::JumpIndirect | Kind::LoadImmAndJumpIndirect => 0,
                _ if kind.is_branch() => HAS_TARGET | CAN_CONTINUE | IS_BRANCH,
                _ => CAN_CONTINUE,
            }
    }
}

/// What translation reads: the code and where its instructions and blocks start, and
/// the gas rules. Shared by all instances of a module.
#[derive(Debug)]
pub(crate) struct Source {
    pub layout: Layout,
    pub model: CostModel,
    pub metering: bool,
    pub end_of_code: EndOfCode,
    pub is_64_bit: bool,
}

impl Source {
    pub fn new(
        isa: InstructionSet,
        raw: Arc<RawCode>,
        model: CostModel,
        metering: bool,
        end_of_code: EndOfCode,
    ) -> Self {
        let layout = Layout::new(isa, raw);
        Source { layout, model, metering, end_of_code, is_64_bit: isa.is_64_bit() }
    }

    /// The instructions of the basic block starting at `pc`, and its cost: the sum of
    /// its instructions' costs, plus the implicit trap's if it runs off the end of the
    /// code (the rule [`crate::gas::GasPlan`] states for the whole program).
    fn block(&self, pc: u32, instructions: &mut Vec<Instruction>) -> u32 {
        instructions.clear();
        let code_len = self.layout.code_len();
        let mut at = pc;
        let mut cost = 0u32;
        loop {
            let instruction = self.layout.instruction_at(at);
            cost = cost.saturating_add(self.model.cost(instruction.opcode));
            instructions.push(instruction);
            at = instruction.next_pc();
            if instruction.ends_basic_block() {
                return cost;
            }
            if at >= code_len {
                return cost.saturating_add(self.model.cost(Some(Opcode::Trap)));
            }
        }
    }

    /// The cost of the basic block containing the instruction at `pc`.
    pub fn cost_of_block_containing(&self, pc: u32) -> u32 {
        self.block(self.layout.block_start_of(pc), &mut Vec::new())
    }
}

/// How many blocks translated before a region translates again rather than jump to.
const MAX_COPIES: u32 = 4;

/// A jump-table slot whose target is valid but not translated yet.
pub(crate) const UNTRANSLATED: u32 = u32::MAX - 1;

/// A program translated for the interpreter, all at once (for the compiler, which
/// starts from it) or a basic block at a time, when execution first reaches it.
#[derive(Clone, Debug)]
pub(crate) struct Compiled {
    /// Invariant, relied upon by the executor's unchecked fetches: every branch
    /// target, jump-table target and block entry is a valid index; every operation
    /// that can continue at the next index is followed by another operation; every
    /// register field (`d`, `a`, `b`) is below 16; with metering, every branch and
    /// jump target, jump-table target and not-taken side of a branch is a
    /// `ChargeGas`; a superinstruction is followed by its second part.
    /// [`Compiled::check_invariants`] verifies it for every translated range.
    ///
    /// A target that is not translated yet is a stub: `ChargeGas` of nothing (with
    /// metering), then `Translate`, which stops the executor so that the block is
    /// translated and the branch patched; execution then continues at the block's own
    /// `ChargeGas`. A block that falls into one translated before is followed by a
    /// copy of it (up to [`MAX_COPIES`] in a row), or by a `ChargeGas` of nothing and a
    /// `Jump` there. None of this changes what is charged.
    pub ops: Vec<Op>,
    /// The guest pc of each operation (for traps, faults and host calls).
    pub op_pc: Vec<u32>,
    /// For each jump table entry: the operation to continue at, `INVALID_TARGET`, or
    /// `UNTRANSLATED` (not used yet: not even validated).
    pub jump_table_ops: Vec<u32>,
    /// The length of the code (the pc of the implicit trap at its end).
    pub code_len: u32,
    pub is_64_bit: bool,
    /// Whether gas is metered (`memset` charges per byte only then).
    pub metering: bool,
    /// The first operation of every translated block (its `ChargeGas` with metering),
    /// by pc; the end of the code too once translated.
    blocks: BTreeMap<u32, u32>,
    /// Stubs, by the pc of the block they stand for.
    stubs: BTreeMap<u32, u32>,
    /// Operations that jump to a stub, by target pc: patched when it is translated.
    waiting: BTreeMap<u32, Vec<u32>>,
    /// Branches translated but not yet pointed at their targets: `(operation, pc)`.
    fixups: Vec<(u32, u32)>,
    /// The pcs of the blocks translated since the last [`Compiled::resolve`].
    new_blocks: Vec<u32>,
    /// A basic block's instructions while it is translated (kept for its capacity).
    block_buffer: Vec<Instruction>,
}

impl Compiled {
    /// Nothing translated yet.
    pub fn empty(source: &Source) -> Self {
        // Jump-table targets are validated on first use, like the code they go to:
        // with the extended encoding, checking them all would lay out most of the code.
        let jump_table_ops = alloc::vec![UNTRANSLATED; source.layout.raw().jump_table.len()];
        Compiled {
            ops: Vec::new(),
            op_pc: Vec::new(),
            jump_table_ops,
            code_len: source.layout.code_len(),
            is_64_bit: source.is_64_bit,
            metering: source.metering,
            blocks: BTreeMap::new(),
            stubs: BTreeMap::new(),
            waiting: BTreeMap::new(),
            fixups: Vec::new(),
            new_blocks: Vec::new(),
            block_buffer: Vec::new(),
        }
    }

    /// The whole program, in code order, ending in the implicit trap at the end of
    /// the code: no stubs, every jump-table slot resolved.
    #[cfg_attr(not(pvm_compiler), allow(dead_code))]
    pub fn eager(source: &Source) -> Self {
        let mut compiled = Self::empty(source);
        let mut block = Vec::new();
        let mut pc = 0;
        while pc < compiled.code_len {
            if !compiled.blocks.contains_key(&pc) {
                compiled.translate_region(source, pc, &mut block);
            }
            pc = source.layout.next_block_start(pc);
        }
        if !compiled.blocks.contains_key(&compiled.code_len) {
            compiled.translate_end(source, false);
        }
        compiled.resolve();
        for (slot, &pc) in compiled.jump_table_ops.iter_mut().zip(&source.layout.raw().jump_table) {
            *slot = if source.layout.is_block_start(pc) { compiled.blocks[&pc] } else { INVALID_TARGET };
        }
        compiled.check_invariants(0);
        (0..compiled.jump_table_ops.len()).for_each(|slot| compiled.check_slot(slot));
        compiled
    }

    /// Translates every block not translated yet, in code order, as execution would
    /// reach them (stubs, patches and all): for tests that run code warm and cold.
    pub fn translate_all(&mut self, source: &Source) {
        let mut pc = 0;
        while pc < self.code_len {
            self.block_op(source, pc);
            pc = source.layout.next_block_start(pc);
        }
        for slot in 0..self.jump_table_ops.len() {
            if self.jump_table_ops[slot] == UNTRANSLATED {
                self.slot_op(source, slot);
            }
        }
    }

    /// The operation where the instruction at `pc` (an instruction start) begins,
    /// translating its block first if needed: its block's `ChargeGas` at a block
    /// start, else the first operation at or after it.
    pub fn op_at(&mut self, source: &Source, pc: u32) -> u32 {
        let start = source.layout.block_start_of(pc);
        let block_op = self.block_op(source, start);
        self.translated_op(block_op, pc)
    }

    /// Like [`Compiled::op_at`] for a program translated eagerly, where the block
    /// containing `pc` is the last one that starts at or before it.
    #[cfg_attr(not(pvm_compiler), allow(dead_code))]
    pub fn translated_op_at(&self, pc: u32) -> u32 {
        let (_, &block_op) = self.blocks.range(..=pc).next_back().expect("the first block starts at 0");
        self.translated_op(block_op, pc)
    }

    fn translated_op(&self, block_op: u32, pc: u32) -> u32 {
        let first = block_op as usize;
        let offset = self.op_pc[first..].iter().position(|&op_pc| op_pc >= pc).unwrap_or(0);
        (first + offset) as u32
    }

    /// The first operation of the block at `pc` (a block start, or the end of the
    /// code), translating it if needed.
    pub fn block_op(&mut self, source: &Source, pc: u32) -> u32 {
        if let Some(&op) = self.blocks.get(&pc) {
            return op;
        }
        let first_new = self.ops.len();
        let mut block = core::mem::take(&mut self.block_buffer);
        self.translate_region(source, pc, &mut block);
        self.block_buffer = block;
        self.resolve();
        self.check_invariants(first_new);
        self.blocks[&pc]
    }

    /// Where jump-table slot `slot` goes, translating it if needed; `None` (and the
    /// slot marked invalid) if its target is not a valid jump target.
    pub fn slot_op(&mut self, source: &Source, slot: usize) -> Option<u32> {
        let pc = source.layout.raw().jump_table[slot];
        if !source.layout.is_block_start(pc) {
            self.jump_table_ops[slot] = INVALID_TARGET;
            return None;
        }
        let op = self.block_op(source, pc);
        self.jump_table_ops[slot] = op;
        self.check_slot(slot);
        Some(op)
    }

    /// The guest pc of operation `op` (the end of the code past the last one).
    pub fn pc_of_op(&self, op: u32) -> u32 {
        self.op_pc.get(op as usize).copied().unwrap_or(self.code_len)
    }

    fn push(&mut self, pc: u32, op: Op) {
        self.ops.push(op);
        self.op_pc.push(pc);
    }

    fn next_index(&self) -> u32 {
        self.ops.len() as u32
    }

    /// Translates the block at `pc` and the ones execution falls into from it, until
    /// a block that cannot fall through, or the end of the code. A block translated
    /// before is translated again, up to [`MAX_COPIES`] of them in a row (so that
    /// falling into it stays a plain step), and then jumped to.
    fn translate_region(&mut self, source: &Source, mut pc: u32, block: &mut Vec<Instruction>) {
        let first = self.ops.len();
        let mut copies = 0;
        loop {
            // The end of the code is translated again, never jumped to: it is not a
            // block with a gas charge of its own in every model.
            if pc >= self.code_len {
                self.translate_end(source, false);
                break;
            }
            let translated = self.blocks.get(&pc).copied();
            if let Some(op) = translated {
                if copies == MAX_COPIES {
                    if self.metering {
                        self.push(pc, charge(0));
                    }
                    self.push(pc, Op { target: op, ..self::op(Kind::Jump) });
                    break;
                }
                copies += 1;
            }
            if translated.is_none() {
                self.blocks.insert(pc, self.next_index());
                self.new_blocks.push(pc);
            }
            let cost = source.block(pc, block);
            if self.metering {
                self.push(pc, charge(cost));
            }
            for instruction in block.iter() {
                if emits_op(source, instruction) {
                    self.translate(source, instruction);
                }
            }
            let last = block.last().expect("a block has an instruction");
            pc = last.next_pc();
            if !last.ends_basic_block() {
                // It ran off the end of the code: the implicit trap was paid for.
                self.translate_end(source, true);
                break;
            }
            if !last.opcode.is_some_and(Opcode::can_fall_through) {
                break;
            }
        }
        fuse(&mut self.ops[first..]);
    }

    /// The implicit trap at the end of the code. Where the end is a jump target of
    /// its own (`open` = no block runs into it), that trap is a block and is charged.
    fn translate_end(&mut self, source: &Source, open: bool) {
        self.blocks.insert(self.code_len, self.next_index());
        if source.end_of_code == EndOfCode::ImplicitTrap && self.metering && !open {
            self.push(self.code_len, charge(source.model.cost(Some(Opcode::Trap))));
        }
        self.push(self.code_len, op(Kind::Trap));
    }

    /// Points the branches translated since the last call at their targets (or at
    /// stubs), and the branches waiting for blocks translated since at those.
    fn resolve(&mut self) {
        for (referrer, pc) in core::mem::take(&mut self.fixups) {
            let target = match self.blocks.get(&pc) {
                Some(&target) => target,
                None => {
                    self.waiting.entry(pc).or_default().push(referrer);
                    match self.stubs.get(&pc) {
                        Some(&stub) => stub,
                        None => {
                            let stub = self.next_index();
                            if self.metering {
                                self.push(pc, charge(0));
                            }
                            self.push(pc, Op { target: pc, ..op(Kind::Translate) });
                            self.stubs.insert(pc, stub);
                            stub
                        }
                    }
                }
            };
            self.ops[referrer as usize].target = target;
        }
        if self.waiting.is_empty() {
            self.new_blocks.clear();
            return;
        }
        for pc in core::mem::take(&mut self.new_blocks) {
            if let Some(referrers) = self.waiting.remove(&pc) {
                let op = self.blocks[&pc];
                self.stubs.remove(&pc);
                for referrer in referrers {
                    self.ops[referrer as usize].target = op;
                }
            }
        }
    }

    /// Verifies the invariant documented on [`Compiled::ops`] for the operations from
    /// `first` on, so that a translator bug is a panic at translation rather than an
    /// out-of-bounds access at run time. Linear in their number, with one table lookup
    /// per operation for what its kind implies ([`Kind::invariants`]).
    fn check_invariants(&self, first: usize) {
        let len = self.ops.len();
        let is_charge = |target: usize| self.ops.get(target).map(|op| op.kind) == Some(Kind::ChargeGas);
        for (index, op) in self.ops.iter().enumerate().skip(first) {
            let invariants = KIND_INVARIANTS[op.kind as usize];
            if invariants & IS_FUSED != 0 {
                let second = op.kind.parts().map(|(_, second)| second);
                let next = self.ops.get(index + 1).map(|next| next.kind.parts().map_or(next.kind, |(first, _)| first));
                assert_eq!(next, second, "superinstruction {index} is not followed by its second part");
            }
            if invariants & HAS_TARGET != 0 {
                assert!((op.target as usize) < len, "operation {index} jumps out of range");
                // With metering, the executor charges a block's gas when it jumps to it
                // without checking that the target is a charge.
                assert!(
                    !self.metering || is_charge(op.target as usize),
                    "operation {index} jumps to something else than a gas charge"
                );
            }
            if invariants & IS_BRANCH != 0 {
                assert!(!self.metering || is_charge(index + 1), "branch {index} is not followed by a gas charge");
            }
            assert!((op.d | op.a | op.b) < 16, "operation {index} names a register out of range");
            assert!(invariants & CAN_CONTINUE == 0 || index + 1 < len, "operation {index} has no successor");
        }
        assert_eq!(self.ops.len(), self.op_pc.len());
    }

    /// Verifies that jump-table slot `slot` is invalid, untranslated, or the start of a
    /// translated block (a gas charge with metering).
    fn check_slot(&self, slot: usize) {
        let op = self.jump_table_ops[slot];
        if op != INVALID_TARGET && op != UNTRANSLATED {
            let kind = self.ops.get(op as usize).map(|op| op.kind);
            assert!(kind.is_some(), "jump table entry {slot} is out of range");
            assert!(!self.metering || kind == Some(Kind::ChargeGas), "jump table entry {slot} is not a gas charge");
        }
    }
}

/// Turns every operation that starts a superinstruction's pair into that
/// superinstruction. The second operation stays in place, unchanged but for being
/// fused with its own successor: execution that starts there (a jump target, a resume
/// after a host call or page fault) runs it alone, and a fault in the pair's second
/// half stops at it. Only straight-line operations start a pair, so a pair never
/// spans a gas charge.
impl Op {
    /// The guest memory this operation accesses if it is a load or store, given the
    /// registers: `(address, size, is_write)`. Addresses wrap at 32 bits. (The
    /// compiler finds a faulting access's address with it.)
    #[cfg_attr(not(pvm_compiler), allow(dead_code))]
    pub fn access(&self, regs: &[u64; 16]) -> Option<(u32, u32, bool)> {
        use Opcode as O;
        let kind = self.kind.parts().map_or(self.kind, |(first, _)| first);
        let (opcode, _) = kind.instruction()?;
        let reg = |index: u8| regs[usize::from(index)] as u32;
        let imm = self.imm as u32;
        let (address, is_write) = match opcode {
            O::LoadU8 | O::LoadI8 | O::LoadU16 | O::LoadI16 | O::LoadU32 | O::LoadI32 | O::LoadU64 => (imm, false),
            O::LoadIndirectU8
            | O::LoadIndirectI8
            | O::LoadIndirectU16
            | O::LoadIndirectI16
            | O::LoadIndirectU32
            | O::LoadIndirectI32
            | O::LoadIndirectU64 => (reg(self.a).wrapping_add(imm), false),
            O::StoreU8 | O::StoreU16 | O::StoreU32 | O::StoreU64 => (imm, true),
            O::StoreIndirectU8 | O::StoreIndirectU16 | O::StoreIndirectU32 | O::StoreIndirectU64 => {
                (reg(self.b).wrapping_add(imm), true)
            }
            O::StoreImmU8 | O::StoreImmU16 | O::StoreImmU32 | O::StoreImmU64 => (self.target, true),
            O::StoreImmIndirectU8 | O::StoreImmIndirectU16 | O::StoreImmIndirectU32 | O::StoreImmIndirectU64 => {
                (reg(self.b).wrapping_add(self.target), true)
            }
            _ => return None,
        };
        let size = match opcode {
            O::LoadU8 | O::LoadI8 | O::LoadIndirectU8 | O::LoadIndirectI8 => 1,
            O::StoreU8 | O::StoreIndirectU8 | O::StoreImmU8 | O::StoreImmIndirectU8 => 1,
            O::LoadU16 | O::LoadI16 | O::LoadIndirectU16 | O::LoadIndirectI16 => 2,
            O::StoreU16 | O::StoreIndirectU16 | O::StoreImmU16 | O::StoreImmIndirectU16 => 2,
            O::LoadU32 | O::LoadI32 | O::LoadIndirectU32 | O::LoadIndirectI32 => 4,
            O::StoreU32 | O::StoreIndirectU32 | O::StoreImmU32 | O::StoreImmIndirectU32 => 4,
            _ => 8,
        };
        Some((address, size, is_write))
    }
}

fn fuse(ops: &mut [Op]) {
    for index in 1..ops.len() {
        // Both still have their own kinds: only `index - 1` is rewritten so far.
        if let Some(fused) = Kind::fuse(ops[index - 1].kind, ops[index].kind) {
            ops[index - 1].kind = fused;
        }
    }
}

fn op(kind: Kind) -> Op {
    Op { kind, d: 0, a: 0, b: 0, target: 0, imm: 0 }
}

fn charge(cost: u32) -> Op {
    Op { imm: u64::from(cost), ..op(Kind::ChargeGas) }
}

/// `fallthrough` and `unlikely` only matter for block boundaries and gas, except a
/// `fallthrough` into something that is not a valid jump target (the end of the
/// code), which traps at the `fallthrough` like the reference.
fn emits_op(source: &Source, instruction: &Instruction) -> bool {
    match instruction.opcode {
        Some(Opcode::Unlikely) => false,
        Some(Opcode::Fallthrough) => !falls_through_validly(source, instruction),
        _ => true,
    }
}

/// Whether the instruction after `instruction` is a valid jump target, which the
/// reference requires of the not-taken side of a branch and of a `fallthrough`.
fn falls_through_validly(source: &Source, instruction: &Instruction) -> bool {
    let layout = &source.layout;
    if instruction.next_pc() == layout.code_len() {
        source.end_of_code == EndOfCode::ImplicitTrap
    } else if layout.isa().uses_bitmask() {
        layout.is_block_start(instruction.next_pc())
    } else {
        instruction.next_pc() < layout.code_len()
    }
}

impl Compiled {
    /// Appends the operation of one instruction. Branch targets are left to
    /// [`Compiled::resolve`].
    fn translate(&mut self, source: &Source, instruction: &Instruction) {
        use Opcode as O;
        let pc = instruction.pc;
        let Some(opcode) = instruction.opcode else {
            self.push(pc, op(Kind::Invalid));
            return;
        };
        let args = &instruction.args;
        let r = |n: usize| args.reg(n).index() as u8;
        let w32 = !self.is_64_bit;

        // Shape-based operand placement; see `Op` and the executor for the conventions.
        let reg_reg_reg = |kind| Op { d: r(0), a: r(1), b: r(2), ..op(kind) };
        let reg_reg_imm = |kind| Op { d: r(0), a: r(1), imm: sext(args.imm1), ..op(kind) };
        let store_indirect = |kind| Op { a: r(0), b: r(1), imm: sext(args.imm1), ..op(kind) };
        let load = |kind| Op { d: r(0), imm: sext(args.imm1), ..op(kind) };
        let store = |kind| Op { a: r(0), imm: sext(args.imm1), ..op(kind) };
        let store_imm = |kind| Op { target: args.imm1, imm: sext(args.imm2), ..op(kind) };
        let store_imm_indirect = |kind| Op { b: r(0), target: args.imm1, imm: sext(args.imm2), ..op(kind) };
        let reg_reg = |kind| Op { d: r(0), a: r(1), ..op(kind) };

        let (operation, branch_target) = match opcode {
            O::Trap => (op(Kind::Trap), None),
            // Only emitted when it falls into the end of the code.
            O::Fallthrough => (Op { target: instruction.next_pc(), ..op(Kind::InvalidBranch) }, None),
            O::Unlikely => return,
            O::Memset => (op(Kind::Memset), None),
            O::Ecalli => (Op { imm: u64::from(args.imm1), target: instruction.next_pc(), ..op(Kind::Ecalli) }, None),
            O::Sbrk => (reg_reg(Kind::Sbrk), None),
            O::LoadImm64 => (Op { d: r(0), imm: args.imm64(), ..op(Kind::LoadImm64) }, None),
            O::LoadImm => (load(Kind::LoadImm), None),
            O::MoveReg => (reg_reg(Kind::MoveReg), None),
            O::Jump => (op(Kind::Jump), Some(args.imm1)),
            O::JumpIndirect => (Op { b: r(0), imm: sext(args.imm1), ..op(Kind::JumpIndirect) }, None),
            O::LoadImmAndJump => (load(Kind::LoadImmAndJump), Some(args.imm2)),
            O::LoadImmAndJumpIndirect => (
                Op { d: r(0), b: r(1), imm: sext(args.imm1), target: args.imm2, ..op(Kind::LoadImmAndJumpIndirect) },
                None,
            ),

            O::BranchEqImm => (branch_imm(Kind::BranchEqImm, r(0), args.imm1), Some(args.imm2)),
            O::BranchNotEqImm => (branch_imm(Kind::BranchNotEqImm, r(0), args.imm1), Some(args.imm2)),
            O::BranchLessUnsignedImm => (branch_imm(Kind::BranchLessUnsignedImm, r(0), args.imm1), Some(args.imm2)),
            O::BranchLessOrEqualUnsignedImm => {
                (branch_imm(Kind::BranchLessOrEqualUnsignedImm, r(0), args.imm1), Some(args.imm2))
            }
            O::BranchGreaterOrEqualUnsignedImm => {
                (branch_imm(Kind::BranchGreaterOrEqualUnsignedImm, r(0), args.imm1), Some(args.imm2))
            }
            O::BranchGreaterUnsignedImm => {
                (branch_imm(Kind::BranchGreaterUnsignedImm, r(0), args.imm1), Some(args.imm2))
            }
            O::BranchLessSignedImm => (branch_imm(Kind::BranchLessSignedImm, r(0), args.imm1), Some(args.imm2)),
            O::BranchLessOrEqualSignedImm => {
                (branch_imm(Kind::BranchLessOrEqualSignedImm, r(0), args.imm1), Some(args.imm2))
            }
            O::BranchGreaterOrEqualSignedImm => {
                (branch_imm(Kind::BranchGreaterOrEqualSignedImm, r(0), args.imm1), Some(args.imm2))
            }
            O::BranchGreaterSignedImm => (branch_imm(Kind::BranchGreaterSignedImm, r(0), args.imm1), Some(args.imm2)),

            O::BranchEq => (branch(Kind::BranchEq, r(0), r(1)), Some(args.imm1)),
            O::BranchNotEq => (branch(Kind::BranchNotEq, r(0), r(1)), Some(args.imm1)),
            O::BranchLessUnsigned => (branch(Kind::BranchLessUnsigned, r(0), r(1)), Some(args.imm1)),
            O::BranchLessSigned => (branch(Kind::BranchLessSigned, r(0), r(1)), Some(args.imm1)),
            O::BranchGreaterOrEqualUnsigned => {
                (branch(Kind::BranchGreaterOrEqualUnsigned, r(0), r(1)), Some(args.imm1))
            }
            O::BranchGreaterOrEqualSigned => (branch(Kind::BranchGreaterOrEqualSigned, r(0), r(1)), Some(args.imm1)),

            O::LoadU8 => (load(Kind::LoadU8), None),
            O::LoadI8 => (load(Kind::LoadI8), None),
            O::LoadU16 => (load(Kind::LoadU16), None),
            O::LoadI16 => (load(Kind::LoadI16), None),
            O::LoadU32 => (load(Kind::LoadU32), None),
            O::LoadI32 => (load(Kind::LoadI32), None),
            O::LoadU64 => (load(Kind::LoadU64), None),
            O::StoreU8 => (store(Kind::StoreU8), None),
            O::StoreU16 => (store(Kind::StoreU16), None),
            O::StoreU32 => (store(Kind::StoreU32), None),
            O::StoreU64 => (store(Kind::StoreU64), None),

            O::LoadIndirectU8 => (reg_reg_imm(Kind::LoadIndirectU8), None),
            O::LoadIndirectI8 => (reg_reg_imm(Kind::LoadIndirectI8), None),
            O::LoadIndirectU16 => (reg_reg_imm(Kind::LoadIndirectU16), None),
            O::LoadIndirectI16 => (reg_reg_imm(Kind::LoadIndirectI16), None),
            O::LoadIndirectU32 => (reg_reg_imm(Kind::LoadIndirectU32), None),
            O::LoadIndirectI32 => (reg_reg_imm(Kind::LoadIndirectI32), None),
            O::LoadIndirectU64 => (reg_reg_imm(Kind::LoadIndirectU64), None),
            O::StoreIndirectU8 => (store_indirect(Kind::StoreIndirectU8), None),
            O::StoreIndirectU16 => (store_indirect(Kind::StoreIndirectU16), None),
            O::StoreIndirectU32 => (store_indirect(Kind::StoreIndirectU32), None),
            O::StoreIndirectU64 => (store_indirect(Kind::StoreIndirectU64), None),

            O::StoreImmU8 => (store_imm(Kind::StoreImmU8), None),
            O::StoreImmU16 => (store_imm(Kind::StoreImmU16), None),
            O::StoreImmU32 => (store_imm(Kind::StoreImmU32), None),
            O::StoreImmU64 => (store_imm(Kind::StoreImmU64), None),
            O::StoreImmIndirectU8 => (store_imm_indirect(Kind::StoreImmIndirectU8), None),
            O::StoreImmIndirectU16 => (store_imm_indirect(Kind::StoreImmIndirectU16), None),
            O::StoreImmIndirectU32 => (store_imm_indirect(Kind::StoreImmIndirectU32), None),
            O::StoreImmIndirectU64 => (store_imm_indirect(Kind::StoreImmIndirectU64), None),

            O::CountSetBits64 => (reg_reg(Kind::CountSetBits64), None),
            O::CountSetBits32 => (reg_reg(Kind::CountSetBits32), None),
            O::CountLeadingZeroBits64 => (reg_reg(Kind::CountLeadingZeroBits64), None),
            O::CountLeadingZeroBits32 => (reg_reg(Kind::CountLeadingZeroBits32), None),
            O::CountTrailingZeroBits64 => (reg_reg(Kind::CountTrailingZeroBits64), None),
            O::CountTrailingZeroBits32 => (reg_reg(Kind::CountTrailingZeroBits32), None),
            O::SignExtend8 => (reg_reg(Kind::SignExtend8), None),
            O::SignExtend16 => (reg_reg(Kind::SignExtend16), None),
            O::ZeroExtend16 => (reg_reg(Kind::ZeroExtend16), None),
            O::ReverseByte if w32 => (reg_reg(Kind::ReverseByteW32), None),
            O::ReverseByte => (reg_reg(Kind::ReverseByte), None),

            O::AddImm32 => (reg_reg_imm(Kind::AddImm32), None),
            O::AddImm64 => (reg_reg_imm(Kind::AddImm64), None),
            O::AndImm => (reg_reg_imm(Kind::AndImm), None),
            O::XorImm => (reg_reg_imm(Kind::XorImm), None),
            O::OrImm => (reg_reg_imm(Kind::OrImm), None),
            O::MulImm32 => (reg_reg_imm(Kind::MulImm32), None),
            O::MulImm64 => (reg_reg_imm(Kind::MulImm64), None),
            O::SetLessThanUnsignedImm => (reg_reg_imm(Kind::SetLessThanUnsignedImm), None),
            O::SetLessThanSignedImm => (reg_reg_imm(Kind::SetLessThanSignedImm), None),
            O::ShiftLogicalLeftImm32 => (reg_reg_imm(Kind::ShiftLogicalLeftImm32), None),
            O::ShiftLogicalRightImm32 => (reg_reg_imm(Kind::ShiftLogicalRightImm32), None),
            O::ShiftArithmeticRightImm32 => (reg_reg_imm(Kind::ShiftArithmeticRightImm32), None),
            O::ShiftLogicalLeftImm64 => (reg_reg_imm(Kind::ShiftLogicalLeftImm64), None),
            O::ShiftLogicalRightImm64 => (reg_reg_imm(Kind::ShiftLogicalRightImm64), None),
            O::ShiftArithmeticRightImm64 => (reg_reg_imm(Kind::ShiftArithmeticRightImm64), None),
            O::NegateAndAddImm32 => (reg_reg_imm(Kind::NegateAndAddImm32), None),
            O::NegateAndAddImm64 => (reg_reg_imm(Kind::NegateAndAddImm64), None),
            O::SetGreaterThanUnsignedImm => (reg_reg_imm(Kind::SetGreaterThanUnsignedImm), None),
            O::SetGreaterThanSignedImm => (reg_reg_imm(Kind::SetGreaterThanSignedImm), None),
            O::ShiftLogicalLeftImmAlt32 => (reg_reg_imm(Kind::ShiftLogicalLeftImmAlt32), None),
            O::ShiftLogicalRightImmAlt32 => (reg_reg_imm(Kind::ShiftLogicalRightImmAlt32), None),
            O::ShiftArithmeticRightImmAlt32 => (reg_reg_imm(Kind::ShiftArithmeticRightImmAlt32), None),
            O::ShiftLogicalLeftImmAlt64 => (reg_reg_imm(Kind::ShiftLogicalLeftImmAlt64), None),
            O::ShiftLogicalRightImmAlt64 => (reg_reg_imm(Kind::ShiftLogicalRightImmAlt64), None),
            O::ShiftArithmeticRightImmAlt64 => (reg_reg_imm(Kind::ShiftArithmeticRightImmAlt64), None),
            O::CmovIfZeroImm => (reg_reg_imm(Kind::CmovIfZeroImm), None),
            O::CmovIfNotZeroImm => (reg_reg_imm(Kind::CmovIfNotZeroImm), None),
            O::RotateRightImm32 => (reg_reg_imm(Kind::RotateRightImm32), None),
            O::RotateRightImmAlt32 => (reg_reg_imm(Kind::RotateRightImmAlt32), None),
            O::RotateRightImm64 => (reg_reg_imm(Kind::RotateRightImm64), None),
            O::RotateRightImmAlt64 => (reg_reg_imm(Kind::RotateRightImmAlt64), None),

            O::Add32 => (reg_reg_reg(Kind::Add32), None),
            O::Sub32 => (reg_reg_reg(Kind::Sub32), None),
            O::Mul32 => (reg_reg_reg(Kind::Mul32), None),
            O::DivUnsigned32 => (reg_reg_reg(Kind::DivUnsigned32), None),
            O::DivSigned32 => (reg_reg_reg(Kind::DivSigned32), None),
            O::RemUnsigned32 => (reg_reg_reg(Kind::RemUnsigned32), None),
            O::RemSigned32 => (reg_reg_reg(Kind::RemSigned32), None),
            O::ShiftLogicalLeft32 => (reg_reg_reg(Kind::ShiftLogicalLeft32), None),
            O::ShiftLogicalRight32 => (reg_reg_reg(Kind::ShiftLogicalRight32), None),
            O::ShiftArithmeticRight32 => (reg_reg_reg(Kind::ShiftArithmeticRight32), None),
            O::Add64 => (reg_reg_reg(Kind::Add64), None),
            O::Sub64 => (reg_reg_reg(Kind::Sub64), None),
            O::Mul64 => (reg_reg_reg(Kind::Mul64), None),
            O::DivUnsigned64 => (reg_reg_reg(Kind::DivUnsigned64), None),
            O::DivSigned64 => (reg_reg_reg(Kind::DivSigned64), None),
            O::RemUnsigned64 => (reg_reg_reg(Kind::RemUnsigned64), None),
            O::RemSigned64 => (reg_reg_reg(Kind::RemSigned64), None),
            O::ShiftLogicalLeft64 => (reg_reg_reg(Kind::ShiftLogicalLeft64), None),
            O::ShiftLogicalRight64 => (reg_reg_reg(Kind::ShiftLogicalRight64), None),
            O::ShiftArithmeticRight64 => (reg_reg_reg(Kind::ShiftArithmeticRight64), None),
            O::And => (reg_reg_reg(Kind::And), None),
            O::Xor => (reg_reg_reg(Kind::Xor), None),
            O::Or => (reg_reg_reg(Kind::Or), None),
            O::MulUpperSignedSigned if w32 => (reg_reg_reg(Kind::MulUpperSignedSignedW32), None),
            O::MulUpperSignedSigned => (reg_reg_reg(Kind::MulUpperSignedSigned), None),
            O::MulUpperUnsignedUnsigned if w32 => (reg_reg_reg(Kind::MulUpperUnsignedUnsignedW32), None),
            O::MulUpperUnsignedUnsigned => (reg_reg_reg(Kind::MulUpperUnsignedUnsigned), None),
            O::MulUpperSignedUnsigned if w32 => (reg_reg_reg(Kind::MulUpperSignedUnsignedW32), None),
            O::MulUpperSignedUnsigned => (reg_reg_reg(Kind::MulUpperSignedUnsigned), None),
            O::SetLessThanUnsigned => (reg_reg_reg(Kind::SetLessThanUnsigned), None),
            O::SetLessThanSigned => (reg_reg_reg(Kind::SetLessThanSigned), None),
            O::CmovIfZero => (reg_reg_reg(Kind::CmovIfZero), None),
            O::CmovIfNotZero => (reg_reg_reg(Kind::CmovIfNotZero), None),
            O::RotateLeft64 => (reg_reg_reg(Kind::RotateLeft64), None),
            O::RotateLeft32 => (reg_reg_reg(Kind::RotateLeft32), None),
            O::RotateRight64 => (reg_reg_reg(Kind::RotateRight64), None),
            O::RotateRight32 => (reg_reg_reg(Kind::RotateRight32), None),
            O::AndInverted => (reg_reg_reg(Kind::AndInverted), None),
            O::OrInverted => (reg_reg_reg(Kind::OrInverted), None),
            O::Xnor => (reg_reg_reg(Kind::Xnor), None),
            O::Maximum => (reg_reg_reg(Kind::Maximum), None),
            O::MaximumUnsigned => (reg_reg_reg(Kind::MaximumUnsigned), None),
            O::Minimum => (reg_reg_reg(Kind::Minimum), None),
            O::MinimumUnsigned => (reg_reg_reg(Kind::MinimumUnsigned), None),
        };

        // Like the reference, a jump or branch whose target is not a valid jump target,
        // or a conditional branch whose not-taken side is not one, traps whatever the
        // condition (and before writing any register).
        let mut operation = operation;
        if let Some(target_pc) = branch_target {
            let conditional = !matches!(opcode, O::Jump | O::LoadImmAndJump);
            if !source.layout.is_block_start(target_pc) {
                operation = Op { target: target_pc, ..op(Kind::InvalidBranch) };
            } else if conditional && !falls_through_validly(source, instruction) {
                operation = Op { target: instruction.next_pc(), ..op(Kind::InvalidBranch) };
            } else {
                self.fixups.push((self.next_index(), target_pc));
            }
        }
        self.push(pc, operation);
    }
}

fn branch_imm(kind: Kind, reg: u8, imm: u32) -> Op {
    Op { a: reg, imm: sext(imm), ..op(kind) }
}

/// Sign-extends a 32-bit immediate to 64 bits.
fn sext(imm: u32) -> u64 {
    imm as i32 as i64 as u64
}

fn branch(kind: Kind, a: u8, b: u8) -> Op {
    Op { a, b, ..op(kind) }
}

#[cfg(test)]
mod tests {
    use super::Kind;

    #[test]
    fn op_is_sixteen_bytes() {
        assert_eq!(core::mem::size_of::<super::Op>(), 16);
    }

    #[test]
    fn every_superinstruction_is_found_from_its_parts() {
        for &kind in Kind::SUPERINSTRUCTIONS {
            let (first, second) = kind.parts().unwrap();
            assert_eq!(Kind::fuse(first, second), Some(kind));
            assert!(first.parts().is_none() && second.parts().is_none(), "{kind:?} nests");
            assert!(!first.is_branch() && first != Kind::ChargeGas, "{kind:?} starts with control flow");
        }
    }
}
