//! The executor: one `match` over operation kinds in a loop. Registers live in a
//! 16-slot local array indexed by 4-bit fields (validated at translation, so no bounds
//! checks on the hot path), gas is charged once per basic block where control enters
//! it, memory goes through [`Memory`]'s inlined fast path.
//!
//! Straight-line operations are executed by [`simple`] and conditional branches
//! decided by [`condition`]; every dispatch arm, including the superinstructions' (two
//! operations per dispatch), calls them with a constant kind. What the ALU operations,
//! conditional moves and branch conditions compute is [`crate::semantics`]'s, called
//! with that kind's constant opcode, so each arm still compiles to its own code alone.

use super::compile::{Compiled, Kind, Op, UNTRANSLATED};
use crate::gas::Gas;
use crate::interrupt::{Interrupt, TrapReason};
use crate::isa::{Opcode, Shape};
use crate::memory::{self, Fault, Memory, MemsetStop, RETURN_TO_HOST};
use crate::semantics::{self, sext32};

/// The machine state the executor works on.
#[derive(Clone, Debug)]
pub(crate) struct Machine {
    pub regs: [u64; 16],
    pub gas: Gas,
    pub memory: Memory,
    /// The operation to continue at.
    pub next_op: u32,
    /// The operation that caused the last interrupt.
    pub interrupted_op: u32,
    pub trap_reason: Option<TrapReason>,
    /// After an `ecalli`: the pc of the instruction after it (which may be a
    /// `fallthrough` or `unlikely` that has no operation of its own).
    pub ecalli_next_pc: Option<u32>,
    /// Report page faults (JAM semantics) instead of trapping on bad accesses.
    pub report_page_faults: bool,
}

/// `regs[index]` without a bounds check: register fields are below 16.
#[inline(always)]
#[allow(unsafe_code)]
fn reg_mut(regs: &mut [u64; 16], index: u8) -> &mut u64 {
    debug_assert!(index < 16);
    // SAFETY: every register field of an operation is below 16, the length of `regs`
    // (`Compiled::check_invariants` verifies it), and the executor only passes those.
    unsafe { regs.get_unchecked_mut(usize::from(index)) }
}

/// `regs[index]` without a bounds check, like [`reg_mut`].
#[inline(always)]
#[allow(unsafe_code)]
fn reg(regs: &[u64; 16], index: u8) -> u64 {
    debug_assert!(index < 16);
    // SAFETY: as in `reg_mut`.
    unsafe { *regs.get_unchecked(usize::from(index)) }
}

macro_rules! reg {
    ($regs:ident, $index:expr) => {
        *reg_mut(&mut $regs, $index)
    };
}

enum Exit {
    Interrupt(Interrupt),
    Fault(Fault),
    Trap(TrapReason),
    Untranslated(Untranslated),
}

/// Code that execution reached before it was translated: translate it, then continue
/// at its block's first operation (its `ChargeGas`, not yet charged).
#[derive(Copy, Clone, Debug)]
pub(crate) enum Untranslated {
    /// A branch went to the stub for the block at this pc.
    Block(u32),
    /// A dynamic jump went through this jump-table slot.
    Slot(u32),
}

impl Machine {
    pub fn new(memory: Memory) -> Self {
        Machine {
            regs: [0; 16],
            gas: 0,
            memory,
            next_op: 0,
            interrupted_op: 0,
            trap_reason: None,
            ecalli_next_pc: None,
            report_page_faults: false,
        }
    }

    /// Runs until an interrupt, or until execution reaches code not translated yet.
    pub fn run(&mut self, program: &Compiled) -> Result<Interrupt, Untranslated> {
        self.ecalli_next_pc = None;
        let (op_index, exit) = self.execute(program);
        // Where it stopped, also for untranslated code: a jump through an invalid
        // jump-table slot is only found out then, and traps there.
        self.interrupted_op = op_index;
        if let Exit::Untranslated(untranslated) = exit {
            return Err(untranslated);
        }
        Ok(match exit {
            Exit::Untranslated(_) => unreachable!("returned above"),
            Exit::Interrupt(interrupt) => interrupt,
            Exit::Trap(reason) => {
                self.trap_reason = Some(reason);
                Interrupt::Trap
            }
            Exit::Fault(fault) if self.report_page_faults => {
                let page = u64::from(self.memory.page_size());
                let page_address = (u64::from(fault.address) / page * page) as u32;
                self.next_op = op_index;
                Interrupt::PageFault(Fault { address: page_address, ..fault })
            }
            Exit::Fault(fault) => {
                self.trap_reason = Some(TrapReason::MemoryAccess(fault));
                Interrupt::Trap
            }
        })
    }

    /// Resolves a dynamic jump address through the jump table.
    #[inline(always)]
    fn dynamic_target(program: &Compiled, address: u32) -> Result<u32, Exit> {
        if address == RETURN_TO_HOST {
            return Err(Exit::Interrupt(Interrupt::Finished));
        }
        // `INVALID_TARGET` slots are above `UNTRANSLATED`.
        let slot = (address / 2).wrapping_sub(1);
        let target = if address % 2 == 0 { program.jump_table_ops.get(slot as usize).copied() } else { None };
        match target {
            Some(target) if target < UNTRANSLATED => Ok(target),
            Some(UNTRANSLATED) => Err(Exit::Untranslated(Untranslated::Slot(slot))),
            _ => Err(Exit::Trap(TrapReason::InvalidJump { target: address })),
        }
    }

    /// The hot loop.
    fn execute(&mut self, program: &Compiled) -> (u32, Exit) {
        let ops: &[Op] = &program.ops;
        // A local copy: addressed relative to the stack pointer, it needs no base
        // register in the hot loop. Written back at every exit.
        let mut regs = self.regs;
        let memory = &mut self.memory;
        let mut gas = self.gas;
        let metering = program.metering;
        // The current operation, as a pointer into `ops`: one addition per step instead
        // of an index scaled at every fetch. Only ever set to valid indices (see the
        // invariant on `Compiled::ops`): `next_op` comes from `Compiled::op_at`, an
        // interrupted index or an ecalli's successor; jumps use validated targets; an
        // operation that continues at the next index has a successor.
        let base = ops.as_ptr();
        debug_assert!((self.next_op as usize) < ops.len());
        // SAFETY: `next_op` is a valid index into `ops` (see above).
        #[allow(unsafe_code)]
        let mut cursor = unsafe { base.add(self.next_op as usize) };
        // The index of the current operation.
        macro_rules! index {
            () => {{
                // SAFETY: `cursor` points into `ops`, at or after `base`.
                #[allow(unsafe_code)]
                let index = unsafe { cursor.offset_from(base) } as u32;
                index
            }};
        }
        // Moves the cursor to operation `$index`, which must be valid.
        macro_rules! seek {
            ($index:expr) => {{
                let index: usize = $index;
                debug_assert!(index < ops.len());
                #[allow(unsafe_code)]
                {
                    // SAFETY: every index the executor seeks to is valid (see above).
                    cursor = unsafe { base.add(index) };
                }
            }};
        }

        macro_rules! next {
            () => {{
                #[allow(unsafe_code)]
                {
                    // SAFETY: an operation that continues at the next index has a
                    // successor.
                    cursor = unsafe { cursor.add(1) };
                }
                continue;
            }};
        }
        // Leaves the loop; the state is written back once, after it.
        macro_rules! exit {
            ($exit:expr) => {{
                let index = index!();
                break (index, index, $exit);
            }};
        }
        // Continues at operation `$target`, the start of a basic block. The block's gas
        // charge (if metered) is done right here instead of through a dispatch of its
        // own `ChargeGas` operation: control transfers are hot, block starts frequent.
        macro_rules! goto {
            ($target:expr) => {{
                seek!($target);
                charge_and_continue!()
            }};
        }
        // Charges the gas of the block the cursor is at the start of, if metered. With
        // metering, every block start is a `ChargeGas` operation (an invariant of
        // `Compiled::ops`), so its kind needs no check.
        macro_rules! charge_and_continue {
            () => {{
                if metering {
                    // SAFETY: `cursor` is valid: it was just moved to a block start.
                    #[allow(unsafe_code)]
                    let charge = unsafe { &*cursor };
                    debug_assert_eq!(charge.kind, Kind::ChargeGas);
                    let cost = charge.imm as Gas;
                    if gas < cost {
                        exit!(Exit::Interrupt(Interrupt::NotEnoughGas));
                    }
                    gas -= cost;
                    next!();
                }
                continue;
            }};
        }
        macro_rules! branch {
            ($op:ident, $cond:expr) => {{
                if $cond {
                    goto!($op.target as usize)
                }
                #[allow(unsafe_code)]
                {
                    // SAFETY: a conditional branch has a successor, the start of the
                    // block on its not-taken side.
                    cursor = unsafe { cursor.add(1) };
                }
                charge_and_continue!()
            }};
        }
        // A conditional branch of kind `$kind`.
        macro_rules! conditional {
            ($kind:ident, $op:ident) => {
                branch!($op, condition(Kind::$kind, $op, &regs))
            };
        }
        // Executes a straight-line operation of kind `$kind` and continues.
        macro_rules! simple {
            ($kind:expr, $op:ident) => {{
                match simple($kind, $op, &mut regs, memory) {
                    Ok(()) => next!(),
                    Err(fault) => exit!(Exit::Fault(fault)),
                }
            }};
        }
        macro_rules! jump_dynamic {
            ($address:expr) => {{
                match Self::dynamic_target(program, $address) {
                    Ok(target) => goto!(target as usize),
                    Err(exit) => exit!(exit),
                }
            }};
        }

        // Executes superinstruction `$kind`: its first part, then the operation after it
        // (which is its second part) as if dispatched there.
        macro_rules! fused {
            ($kind:ident, $op:ident) => {{
                const PARTS: (Kind, Kind) = match Kind::$kind.parts() {
                    Some(parts) => parts,
                    None => panic!("not a superinstruction"),
                };
                if let Err(fault) = simple(PARTS.0, $op, &mut regs, memory) {
                    exit!(Exit::Fault(fault));
                }
                #[allow(unsafe_code)]
                {
                    // SAFETY: a superinstruction is followed by its second part
                    // (`Compiled::check_invariants` verifies it).
                    cursor = unsafe { cursor.add(1) };
                }
                // SAFETY: as above.
                #[allow(unsafe_code)]
                let op = unsafe { &*cursor };
                if PARTS.1.is_branch() {
                    branch!(op, condition(PARTS.1, op, &regs))
                }
                simple!(PARTS.1, op)
            }};
        }

        let (op_index, next_op, exit) = loop {
            // SAFETY: `cursor` always points at a valid operation (see above).
            #[allow(unsafe_code)]
            let op = unsafe { &*cursor };
            match op.kind {
                Kind::ChargeGas => {
                    let cost = op.imm as Gas;
                    if gas < cost {
                        exit!(Exit::Interrupt(Interrupt::NotEnoughGas));
                    }
                    gas -= cost;
                    next!()
                }
                Kind::Translate => exit!(Exit::Untranslated(Untranslated::Block(op.target))),
                Kind::Trap => exit!(Exit::Trap(TrapReason::Explicit)),
                Kind::Invalid => exit!(Exit::Trap(TrapReason::InvalidInstruction)),
                Kind::InvalidBranch => exit!(Exit::Trap(TrapReason::InvalidJump { target: op.target })),
                Kind::Ecalli => {
                    self.ecalli_next_pc = Some(op.target);
                    let index = index!();
                    break (index, index + 1, Exit::Interrupt(Interrupt::Ecalli(op.imm as u32)));
                }
                Kind::Sbrk => {
                    let size = semantics::sbrk_size(program.is_64_bit, reg!(regs, op.a));
                    let result = memory.sbrk(size).unwrap_or(0);
                    reg!(regs, op.d) = sext32(result);
                    next!()
                }
                Kind::Memset => {
                    match memory::memset(memory, &mut regs, &mut gas, program.metering, program.is_64_bit) {
                        Ok(()) => next!(),
                        Err(MemsetStop::NotEnoughGas) => exit!(Exit::Interrupt(Interrupt::NotEnoughGas)),
                        Err(MemsetStop::Fault(fault)) => exit!(Exit::Fault(fault)),
                    }
                }

                Kind::Jump => goto!(op.target as usize),
                Kind::JumpIndirect => {
                    jump_dynamic!((reg!(regs, op.b) as u32).wrapping_add(op.imm as u32))
                }
                Kind::LoadImmAndJump => {
                    reg!(regs, op.d) = op.imm;
                    goto!(op.target as usize)
                }
                Kind::LoadImmAndJumpIndirect => {
                    let address = (reg!(regs, op.b) as u32).wrapping_add(op.target);
                    reg!(regs, op.d) = op.imm;
                    jump_dynamic!(address)
                }

                Kind::BranchEq => conditional!(BranchEq, op),
                Kind::BranchNotEq => conditional!(BranchNotEq, op),
                Kind::BranchLessUnsigned => conditional!(BranchLessUnsigned, op),
                Kind::BranchLessSigned => conditional!(BranchLessSigned, op),
                Kind::BranchGreaterOrEqualUnsigned => conditional!(BranchGreaterOrEqualUnsigned, op),
                Kind::BranchGreaterOrEqualSigned => conditional!(BranchGreaterOrEqualSigned, op),
                Kind::BranchEqImm => conditional!(BranchEqImm, op),
                Kind::BranchNotEqImm => conditional!(BranchNotEqImm, op),
                Kind::BranchLessUnsignedImm => conditional!(BranchLessUnsignedImm, op),
                Kind::BranchLessOrEqualUnsignedImm => conditional!(BranchLessOrEqualUnsignedImm, op),
                Kind::BranchGreaterOrEqualUnsignedImm => conditional!(BranchGreaterOrEqualUnsignedImm, op),
                Kind::BranchGreaterUnsignedImm => conditional!(BranchGreaterUnsignedImm, op),
                Kind::BranchLessSignedImm => conditional!(BranchLessSignedImm, op),
                Kind::BranchLessOrEqualSignedImm => conditional!(BranchLessOrEqualSignedImm, op),
                Kind::BranchGreaterOrEqualSignedImm => conditional!(BranchGreaterOrEqualSignedImm, op),
                Kind::BranchGreaterSignedImm => conditional!(BranchGreaterSignedImm, op),

                Kind::LoadImm => simple!(Kind::LoadImm, op),
                Kind::LoadImm64 => simple!(Kind::LoadImm64, op),
                Kind::MoveReg => simple!(Kind::MoveReg, op),
                Kind::LoadU8 => simple!(Kind::LoadU8, op),
                Kind::LoadI8 => simple!(Kind::LoadI8, op),
                Kind::LoadU16 => simple!(Kind::LoadU16, op),
                Kind::LoadI16 => simple!(Kind::LoadI16, op),
                Kind::LoadU32 => simple!(Kind::LoadU32, op),
                Kind::LoadI32 => simple!(Kind::LoadI32, op),
                Kind::LoadU64 => simple!(Kind::LoadU64, op),
                Kind::LoadIndirectU8 => simple!(Kind::LoadIndirectU8, op),
                Kind::LoadIndirectI8 => simple!(Kind::LoadIndirectI8, op),
                Kind::LoadIndirectU16 => simple!(Kind::LoadIndirectU16, op),
                Kind::LoadIndirectI16 => simple!(Kind::LoadIndirectI16, op),
                Kind::LoadIndirectU32 => simple!(Kind::LoadIndirectU32, op),
                Kind::LoadIndirectI32 => simple!(Kind::LoadIndirectI32, op),
                Kind::LoadIndirectU64 => simple!(Kind::LoadIndirectU64, op),
                Kind::StoreU8 => simple!(Kind::StoreU8, op),
                Kind::StoreU16 => simple!(Kind::StoreU16, op),
                Kind::StoreU32 => simple!(Kind::StoreU32, op),
                Kind::StoreU64 => simple!(Kind::StoreU64, op),
                Kind::StoreIndirectU8 => simple!(Kind::StoreIndirectU8, op),
                Kind::StoreIndirectU16 => simple!(Kind::StoreIndirectU16, op),
                Kind::StoreIndirectU32 => simple!(Kind::StoreIndirectU32, op),
                Kind::StoreIndirectU64 => simple!(Kind::StoreIndirectU64, op),
                Kind::StoreImmU8 => simple!(Kind::StoreImmU8, op),
                Kind::StoreImmU16 => simple!(Kind::StoreImmU16, op),
                Kind::StoreImmU32 => simple!(Kind::StoreImmU32, op),
                Kind::StoreImmU64 => simple!(Kind::StoreImmU64, op),
                Kind::StoreImmIndirectU8 => simple!(Kind::StoreImmIndirectU8, op),
                Kind::StoreImmIndirectU16 => simple!(Kind::StoreImmIndirectU16, op),
                Kind::StoreImmIndirectU32 => simple!(Kind::StoreImmIndirectU32, op),
                Kind::StoreImmIndirectU64 => simple!(Kind::StoreImmIndirectU64, op),
                Kind::CountSetBits64 => simple!(Kind::CountSetBits64, op),
                Kind::CountSetBits32 => simple!(Kind::CountSetBits32, op),
                Kind::CountLeadingZeroBits64 => simple!(Kind::CountLeadingZeroBits64, op),
                Kind::CountLeadingZeroBits32 => simple!(Kind::CountLeadingZeroBits32, op),
                Kind::CountTrailingZeroBits64 => simple!(Kind::CountTrailingZeroBits64, op),
                Kind::CountTrailingZeroBits32 => simple!(Kind::CountTrailingZeroBits32, op),
                Kind::SignExtend8 => simple!(Kind::SignExtend8, op),
                Kind::SignExtend16 => simple!(Kind::SignExtend16, op),
                Kind::ZeroExtend16 => simple!(Kind::ZeroExtend16, op),
                Kind::ReverseByte => simple!(Kind::ReverseByte, op),
                Kind::ReverseByteW32 => simple!(Kind::ReverseByteW32, op),
                Kind::AddImm32 => simple!(Kind::AddImm32, op),
                Kind::AddImm64 => simple!(Kind::AddImm64, op),
                Kind::AndImm => simple!(Kind::AndImm, op),
                Kind::XorImm => simple!(Kind::XorImm, op),
                Kind::OrImm => simple!(Kind::OrImm, op),
                Kind::MulImm32 => simple!(Kind::MulImm32, op),
                Kind::MulImm64 => simple!(Kind::MulImm64, op),
                Kind::SetLessThanUnsignedImm => simple!(Kind::SetLessThanUnsignedImm, op),
                Kind::SetLessThanSignedImm => simple!(Kind::SetLessThanSignedImm, op),
                Kind::ShiftLogicalLeftImm32 => simple!(Kind::ShiftLogicalLeftImm32, op),
                Kind::ShiftLogicalRightImm32 => simple!(Kind::ShiftLogicalRightImm32, op),
                Kind::ShiftArithmeticRightImm32 => simple!(Kind::ShiftArithmeticRightImm32, op),
                Kind::ShiftLogicalLeftImm64 => simple!(Kind::ShiftLogicalLeftImm64, op),
                Kind::ShiftLogicalRightImm64 => simple!(Kind::ShiftLogicalRightImm64, op),
                Kind::ShiftArithmeticRightImm64 => simple!(Kind::ShiftArithmeticRightImm64, op),
                Kind::NegateAndAddImm32 => simple!(Kind::NegateAndAddImm32, op),
                Kind::NegateAndAddImm64 => simple!(Kind::NegateAndAddImm64, op),
                Kind::SetGreaterThanUnsignedImm => simple!(Kind::SetGreaterThanUnsignedImm, op),
                Kind::SetGreaterThanSignedImm => simple!(Kind::SetGreaterThanSignedImm, op),
                Kind::ShiftLogicalLeftImmAlt32 => simple!(Kind::ShiftLogicalLeftImmAlt32, op),
                Kind::ShiftLogicalRightImmAlt32 => simple!(Kind::ShiftLogicalRightImmAlt32, op),
                Kind::ShiftArithmeticRightImmAlt32 => simple!(Kind::ShiftArithmeticRightImmAlt32, op),
                Kind::ShiftLogicalLeftImmAlt64 => simple!(Kind::ShiftLogicalLeftImmAlt64, op),
                Kind::ShiftLogicalRightImmAlt64 => simple!(Kind::ShiftLogicalRightImmAlt64, op),
                Kind::ShiftArithmeticRightImmAlt64 => simple!(Kind::ShiftArithmeticRightImmAlt64, op),
                Kind::CmovIfZeroImm => simple!(Kind::CmovIfZeroImm, op),
                Kind::CmovIfNotZeroImm => simple!(Kind::CmovIfNotZeroImm, op),
                Kind::RotateRightImm32 => simple!(Kind::RotateRightImm32, op),
                Kind::RotateRightImmAlt32 => simple!(Kind::RotateRightImmAlt32, op),
                Kind::RotateRightImm64 => simple!(Kind::RotateRightImm64, op),
                Kind::RotateRightImmAlt64 => simple!(Kind::RotateRightImmAlt64, op),
                Kind::Add32 => simple!(Kind::Add32, op),
                Kind::Sub32 => simple!(Kind::Sub32, op),
                Kind::Mul32 => simple!(Kind::Mul32, op),
                Kind::DivUnsigned32 => simple!(Kind::DivUnsigned32, op),
                Kind::DivSigned32 => simple!(Kind::DivSigned32, op),
                Kind::RemUnsigned32 => simple!(Kind::RemUnsigned32, op),
                Kind::RemSigned32 => simple!(Kind::RemSigned32, op),
                Kind::ShiftLogicalLeft32 => simple!(Kind::ShiftLogicalLeft32, op),
                Kind::ShiftLogicalRight32 => simple!(Kind::ShiftLogicalRight32, op),
                Kind::ShiftArithmeticRight32 => simple!(Kind::ShiftArithmeticRight32, op),
                Kind::Add64 => simple!(Kind::Add64, op),
                Kind::Sub64 => simple!(Kind::Sub64, op),
                Kind::Mul64 => simple!(Kind::Mul64, op),
                Kind::DivUnsigned64 => simple!(Kind::DivUnsigned64, op),
                Kind::DivSigned64 => simple!(Kind::DivSigned64, op),
                Kind::RemUnsigned64 => simple!(Kind::RemUnsigned64, op),
                Kind::RemSigned64 => simple!(Kind::RemSigned64, op),
                Kind::ShiftLogicalLeft64 => simple!(Kind::ShiftLogicalLeft64, op),
                Kind::ShiftLogicalRight64 => simple!(Kind::ShiftLogicalRight64, op),
                Kind::ShiftArithmeticRight64 => simple!(Kind::ShiftArithmeticRight64, op),
                Kind::And => simple!(Kind::And, op),
                Kind::Xor => simple!(Kind::Xor, op),
                Kind::Or => simple!(Kind::Or, op),
                Kind::MulUpperSignedSigned => simple!(Kind::MulUpperSignedSigned, op),
                Kind::MulUpperUnsignedUnsigned => simple!(Kind::MulUpperUnsignedUnsigned, op),
                Kind::MulUpperSignedUnsigned => simple!(Kind::MulUpperSignedUnsigned, op),
                Kind::MulUpperSignedSignedW32 => simple!(Kind::MulUpperSignedSignedW32, op),
                Kind::MulUpperUnsignedUnsignedW32 => simple!(Kind::MulUpperUnsignedUnsignedW32, op),
                Kind::MulUpperSignedUnsignedW32 => simple!(Kind::MulUpperSignedUnsignedW32, op),
                Kind::SetLessThanUnsigned => simple!(Kind::SetLessThanUnsigned, op),
                Kind::SetLessThanSigned => simple!(Kind::SetLessThanSigned, op),
                Kind::CmovIfZero => simple!(Kind::CmovIfZero, op),
                Kind::CmovIfNotZero => simple!(Kind::CmovIfNotZero, op),
                Kind::RotateLeft64 => simple!(Kind::RotateLeft64, op),
                Kind::RotateLeft32 => simple!(Kind::RotateLeft32, op),
                Kind::RotateRight64 => simple!(Kind::RotateRight64, op),
                Kind::RotateRight32 => simple!(Kind::RotateRight32, op),
                Kind::AndInverted => simple!(Kind::AndInverted, op),
                Kind::OrInverted => simple!(Kind::OrInverted, op),
                Kind::Xnor => simple!(Kind::Xnor, op),
                Kind::Maximum => simple!(Kind::Maximum, op),
                Kind::MaximumUnsigned => simple!(Kind::MaximumUnsigned, op),
                Kind::Minimum => simple!(Kind::Minimum, op),
                Kind::MinimumUnsigned => simple!(Kind::MinimumUnsigned, op),

                Kind::ShiftLeftImm64ThenAdd64 => fused!(ShiftLeftImm64ThenAdd64, op),
                Kind::Add64ThenLoadIndirectU64 => fused!(Add64ThenLoadIndirectU64, op),
                Kind::Add64ThenLoadIndirectU8 => fused!(Add64ThenLoadIndirectU8, op),
                Kind::Add64ThenStoreIndirectU64 => fused!(Add64ThenStoreIndirectU64, op),
                Kind::LoadIndirectU64ThenShiftLeft64 => fused!(LoadIndirectU64ThenShiftLeft64, op),
                Kind::ShiftLeft64ThenOr => fused!(ShiftLeft64ThenOr, op),
                Kind::OrThenAdd64 => fused!(OrThenAdd64, op),
                Kind::OrThenOr => fused!(OrThenOr, op),
                Kind::AddImm64ThenAddImm64 => fused!(AddImm64ThenAddImm64, op),
                Kind::AddImm32ThenAddImm32 => fused!(AddImm32ThenAddImm32, op),
                Kind::AndImmThenShiftLeftImm64 => fused!(AndImmThenShiftLeftImm64, op),
                Kind::AndImmThenOr => fused!(AndImmThenOr, op),
                Kind::LoadIndirectU8ThenLoadIndirectU8 => fused!(LoadIndirectU8ThenLoadIndirectU8, op),
                Kind::LoadIndirectU8ThenAndImm => fused!(LoadIndirectU8ThenAndImm, op),
                Kind::LoadIndirectI32ThenLoadIndirectI32 => fused!(LoadIndirectI32ThenLoadIndirectI32, op),
                Kind::StoreIndirectU8ThenAddImm64 => fused!(StoreIndirectU8ThenAddImm64, op),
                Kind::StoreIndirectU8ThenAddImm32 => fused!(StoreIndirectU8ThenAddImm32, op),
                Kind::StoreIndirectU32ThenAddImm32 => fused!(StoreIndirectU32ThenAddImm32, op),
                Kind::StoreIndirectU64ThenAddImm64 => fused!(StoreIndirectU64ThenAddImm64, op),
                Kind::StoreIndirectU32ThenStoreIndirectU32 => fused!(StoreIndirectU32ThenStoreIndirectU32, op),
                Kind::OrThenCmovIfZeroImm => fused!(OrThenCmovIfZeroImm, op),
                Kind::CmovIfZeroImmThenStoreIndirectU8 => fused!(CmovIfZeroImmThenStoreIndirectU8, op),
                Kind::ShiftLeft32ThenAdd32 => fused!(ShiftLeft32ThenAdd32, op),
                Kind::AddImm64ThenBranchLessUnsigned => fused!(AddImm64ThenBranchLessUnsigned, op),
                Kind::AddImm32ThenBranchLessUnsigned => fused!(AddImm32ThenBranchLessUnsigned, op),
                Kind::AddImm64ThenBranchNotEq => fused!(AddImm64ThenBranchNotEq, op),
                Kind::AddImm32ThenBranchNotEq => fused!(AddImm32ThenBranchNotEq, op),
                Kind::ShiftRightImm64ThenBranchGreaterOrEqualUnsigned => {
                    fused!(ShiftRightImm64ThenBranchGreaterOrEqualUnsigned, op)
                }
                Kind::StoreIndirectU64ThenBranchGreaterOrEqualUnsigned => {
                    fused!(StoreIndirectU64ThenBranchGreaterOrEqualUnsigned, op)
                }
                Kind::LoadIndirectI32ThenBranchGreaterOrEqualUnsigned => {
                    fused!(LoadIndirectI32ThenBranchGreaterOrEqualUnsigned, op)
                }
                Kind::LoadIndirectU8ThenBranchEqImm => fused!(LoadIndirectU8ThenBranchEqImm, op),
                Kind::MoveRegThenBranchNotEqImm => fused!(MoveRegThenBranchNotEqImm, op),
                Kind::ShiftLeft32ThenShiftLeftImm32 => fused!(ShiftLeft32ThenShiftLeftImm32, op),
                Kind::ShiftLeftImm32ThenAddImm32 => fused!(ShiftLeftImm32ThenAddImm32, op),
                Kind::ShiftLeftImm32ThenAdd32 => fused!(ShiftLeftImm32ThenAdd32, op),
                Kind::ShiftLeftImm32ThenAndImm => fused!(ShiftLeftImm32ThenAndImm, op),
                Kind::ShiftLeftImm64ThenAndImm => fused!(ShiftLeftImm64ThenAndImm, op),
                Kind::ShiftRightImm32ThenCmovIfNotZeroImm => fused!(ShiftRightImm32ThenCmovIfNotZeroImm, op),
                Kind::ShiftRight32ThenAndImm => fused!(ShiftRight32ThenAndImm, op),
                Kind::ShiftRight32ThenShiftRight32 => fused!(ShiftRight32ThenShiftRight32, op),
                Kind::ShiftArithmeticRightImm32ThenAnd => fused!(ShiftArithmeticRightImm32ThenAnd, op),
                Kind::NegateAndAddImm32ThenShiftRight32 => fused!(NegateAndAddImm32ThenShiftRight32, op),
                Kind::NegateAndAddImm64ThenShiftRight64 => fused!(NegateAndAddImm64ThenShiftRight64, op),
                Kind::AddImm32ThenShiftLeft32 => fused!(AddImm32ThenShiftLeft32, op),
                Kind::AddImm32ThenMoveReg => fused!(AddImm32ThenMoveReg, op),
                Kind::AddImm64ThenMoveReg => fused!(AddImm64ThenMoveReg, op),
                Kind::AddImm32ThenNegateAndAddImm32 => fused!(AddImm32ThenNegateAndAddImm32, op),
                Kind::AddImm64ThenNegateAndAddImm64 => fused!(AddImm64ThenNegateAndAddImm64, op),
                Kind::AddImm32ThenStoreIndirectU32 => fused!(AddImm32ThenStoreIndirectU32, op),
                Kind::AddImm64ThenStoreIndirectU32 => fused!(AddImm64ThenStoreIndirectU32, op),
                Kind::AndImmThenShiftLeft32 => fused!(AndImmThenShiftLeft32, op),
                Kind::AndImmThenShiftLeftImm32 => fused!(AndImmThenShiftLeftImm32, op),
                Kind::AndThenLoadIndirectI32 => fused!(AndThenLoadIndirectI32, op),
                Kind::Add32ThenShiftArithmeticRightImm32 => fused!(Add32ThenShiftArithmeticRightImm32, op),
                Kind::Add32ThenOr => fused!(Add32ThenOr, op),
                Kind::Add32ThenLoadIndirectU8 => fused!(Add32ThenLoadIndirectU8, op),
                Kind::Add32ThenLoadIndirectI32 => fused!(Add32ThenLoadIndirectI32, op),
                Kind::Add64ThenLoadIndirectI32 => fused!(Add64ThenLoadIndirectI32, op),
                Kind::CmovIfNotZeroImmThenAdd32 => fused!(CmovIfNotZeroImmThenAdd32, op),
                Kind::OrThenStoreIndirectU32 => fused!(OrThenStoreIndirectU32, op),
                Kind::LoadIndirectI32ThenShiftRightImm32 => fused!(LoadIndirectI32ThenShiftRightImm32, op),
                Kind::LoadIndirectI32ThenAddImm32 => fused!(LoadIndirectI32ThenAddImm32, op),
                Kind::LoadIndirectI32ThenAddImm64 => fused!(LoadIndirectI32ThenAddImm64, op),
                Kind::StoreIndirectU32ThenLoadIndirectI32 => fused!(StoreIndirectU32ThenLoadIndirectI32, op),
                Kind::ShiftRightImm32ThenBranchGreaterOrEqualUnsigned => {
                    fused!(ShiftRightImm32ThenBranchGreaterOrEqualUnsigned, op)
                }
                Kind::AddImm32ThenBranchEqImm => fused!(AddImm32ThenBranchEqImm, op),
                Kind::AddImm64ThenBranchEqImm => fused!(AddImm64ThenBranchEqImm, op),
                Kind::AddImm64ThenStoreIndirectU64 => fused!(AddImm64ThenStoreIndirectU64, op),
                Kind::StoreIndirectU64ThenStoreIndirectU64 => fused!(StoreIndirectU64ThenStoreIndirectU64, op),
                Kind::LoadIndirectU64ThenLoadIndirectU64 => fused!(LoadIndirectU64ThenLoadIndirectU64, op),
                Kind::LoadIndirectU64ThenAddImm64 => fused!(LoadIndirectU64ThenAddImm64, op),
                Kind::LoadImmThenLoadImm => fused!(LoadImmThenLoadImm, op),
                Kind::MoveRegThenMoveReg => fused!(MoveRegThenMoveReg, op),
            }
        };
        self.regs = regs;
        self.gas = gas;
        self.next_op = next_op;
        (op_index, exit)
    }
}

/// Executes a straight-line operation: one that neither transfers control nor
/// interrupts (moves, ALU operations, loads and stores). Called with a constant
/// `kind` from every dispatch arm, so each call inlines to that kind's code alone.
///
/// A load or store that faults leaves registers and memory unchanged.
#[inline(always)]
fn simple(kind: Kind, op: &Op, regs: &mut [u64; 16], memory: &mut Memory) -> Result<(), Fault> {
    // Unused operand reads are dead code after inlining.
    let x = reg(regs, op.a);
    let y = reg(regs, op.b);
    let imm = op.imm;
    // Addresses: absolute (`imm`), base `a` plus `imm` (indirect loads), base `b` plus
    // `imm` (indirect stores of `a`) or plus `target` (indirect stores of `imm`).
    let indirect_load = (x as u32).wrapping_add(imm as u32);
    let indirect_store = (y as u32).wrapping_add(imm as u32);
    let indirect_store_imm = (y as u32).wrapping_add(op.target);
    let value = match kind {
        Kind::LoadU8 => return load(memory, regs, op.d, imm as u32, |[b]: [u8; 1]| u64::from(b)),
        Kind::LoadI8 => return load(memory, regs, op.d, imm as u32, |[b]: [u8; 1]| b as i8 as i64 as u64),
        Kind::LoadU16 => return load(memory, regs, op.d, imm as u32, |b| u64::from(u16::from_le_bytes(b))),
        Kind::LoadI16 => return load(memory, regs, op.d, imm as u32, |b| i16::from_le_bytes(b) as i64 as u64),
        Kind::LoadU32 => return load(memory, regs, op.d, imm as u32, |b| u64::from(u32::from_le_bytes(b))),
        Kind::LoadI32 => return load(memory, regs, op.d, imm as u32, |b| sext32(u32::from_le_bytes(b))),
        Kind::LoadU64 => return load(memory, regs, op.d, imm as u32, u64::from_le_bytes),
        Kind::LoadIndirectU8 => return load(memory, regs, op.d, indirect_load, |[b]: [u8; 1]| u64::from(b)),
        Kind::LoadIndirectI8 => return load(memory, regs, op.d, indirect_load, |[b]: [u8; 1]| b as i8 as i64 as u64),
        Kind::LoadIndirectU16 => return load(memory, regs, op.d, indirect_load, |b| u64::from(u16::from_le_bytes(b))),
        Kind::LoadIndirectI16 => {
            return load(memory, regs, op.d, indirect_load, |b| i16::from_le_bytes(b) as i64 as u64)
        }
        Kind::LoadIndirectU32 => return load(memory, regs, op.d, indirect_load, |b| u64::from(u32::from_le_bytes(b))),
        Kind::LoadIndirectI32 => return load(memory, regs, op.d, indirect_load, |b| sext32(u32::from_le_bytes(b))),
        Kind::LoadIndirectU64 => return load(memory, regs, op.d, indirect_load, u64::from_le_bytes),

        Kind::StoreU8 => return memory.store(imm as u32, [x as u8]),
        Kind::StoreU16 => return memory.store(imm as u32, (x as u16).to_le_bytes()),
        Kind::StoreU32 => return memory.store(imm as u32, (x as u32).to_le_bytes()),
        Kind::StoreU64 => return memory.store(imm as u32, x.to_le_bytes()),
        Kind::StoreIndirectU8 => return memory.store(indirect_store, [x as u8]),
        Kind::StoreIndirectU16 => return memory.store(indirect_store, (x as u16).to_le_bytes()),
        Kind::StoreIndirectU32 => return memory.store(indirect_store, (x as u32).to_le_bytes()),
        Kind::StoreIndirectU64 => return memory.store(indirect_store, x.to_le_bytes()),
        Kind::StoreImmU8 => return memory.store(op.target, [imm as u8]),
        Kind::StoreImmU16 => return memory.store(op.target, (imm as u16).to_le_bytes()),
        Kind::StoreImmU32 => return memory.store(op.target, (imm as u32).to_le_bytes()),
        Kind::StoreImmU64 => return memory.store(op.target, imm.to_le_bytes()),
        Kind::StoreImmIndirectU8 => return memory.store(indirect_store_imm, [imm as u8]),
        Kind::StoreImmIndirectU16 => return memory.store(indirect_store_imm, (imm as u16).to_le_bytes()),
        Kind::StoreImmIndirectU32 => return memory.store(indirect_store_imm, (imm as u32).to_le_bytes()),
        Kind::StoreImmIndirectU64 => return memory.store(indirect_store_imm, imm.to_le_bytes()),

        // Conditional moves: `d = a` if `b` is (not) zero, `d = imm` if `a` is.
        Kind::CmovIfZero | Kind::CmovIfNotZero if moves(kind, y) => x,
        Kind::CmovIfZeroImm | Kind::CmovIfNotZeroImm if moves(kind, x) => imm,
        Kind::CmovIfZero | Kind::CmovIfNotZero | Kind::CmovIfZeroImm | Kind::CmovIfNotZeroImm => return Ok(()),
        // Everything else computes `d` from `a` and `b` or the immediate.
        _ => alu(kind, x, y, imm),
    };
    *reg_mut(regs, op.d) = value;
    Ok(())
}

/// Loads `N` bytes at `address` into register `d`, converted by `convert`.
#[inline(always)]
fn load<const N: usize>(
    memory: &Memory,
    regs: &mut [u64; 16],
    d: u8,
    address: u32,
    convert: impl FnOnce([u8; N]) -> u64,
) -> Result<(), Fault> {
    let bytes = memory.load::<N>(address)?;
    *reg_mut(regs, d) = convert(bytes);
    Ok(())
}

/// Whether a conditional branch of `kind` is taken. Called with a constant `kind`.
#[inline(always)]
fn condition(kind: Kind, op: &Op, regs: &[u64; 16]) -> bool {
    let opcode = instruction(kind).0;
    let x = reg(regs, op.a);
    let y = if opcode.shape() == Shape::RegImmOffset { op.imm } else { reg(regs, op.b) };
    match semantics::branch_taken(opcode, x, y) {
        Some(taken) => taken,
        None => unreachable!("{kind:?} is not a conditional branch"),
    }
}

/// The result of an ALU operation of `kind`, whose second operand is register `b` in
/// three-register forms and the immediate otherwise (two-register forms read `a` alone).
#[inline(always)]
fn alu(kind: Kind, x: u64, b: u64, imm: u64) -> u64 {
    let (opcode, is_64_bit) = instruction(kind);
    let y = if opcode.shape() == Shape::RegRegReg { b } else { imm };
    match semantics::alu(opcode, is_64_bit, x, y) {
        Some(value) => value,
        None => unreachable!("{kind:?} is not a straight-line operation"),
    }
}

/// Whether a conditional move of `kind` with `condition` moves.
#[inline(always)]
fn moves(kind: Kind, condition: u64) -> bool {
    semantics::cmov(instruction(kind).0, condition) == Some(true)
}

/// The instruction a kind executes and its width (see [`Kind::instruction`]).
#[inline(always)]
fn instruction(kind: Kind) -> (Opcode, bool) {
    match kind.instruction() {
        Some(instruction) => instruction,
        None => unreachable!("{kind:?} is not an instruction"),
    }
}
