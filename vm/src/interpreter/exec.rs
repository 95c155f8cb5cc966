//! The executor: one `match` over operation kinds in a loop. Registers live in a
//! 16-slot array indexed by masked 4-bit fields (no bounds checks on the hot path),
//! gas is charged once per basic block, memory goes through [`Memory`]'s inlined
//! fast path.

use super::compile::{Compiled, Kind, Op, INVALID_TARGET};
use crate::gas::Gas;
use crate::memory::{Fault, Memory, RETURN_TO_HOST};

/// Why execution stopped.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Interrupt {
    /// The program jumped to the return-to-host address.
    Finished,
    /// The program trapped; [`TrapReason`] says why. Not resumable.
    Trap,
    /// A host call (`ecalli n`); resuming continues after the `ecalli`.
    Ecalli(u32),
    /// A memory access hit an inaccessible page (only when page faults are reported
    /// instead of trapping); the state is as before the faulting instruction, so the
    /// host may map the page and resume.
    PageFault(Fault),
    /// The next basic block (or `memset` byte) could not be paid for; the gas is
    /// unchanged and resuming retries it.
    NotEnoughGas,
}

/// Why a program trapped.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum TrapReason {
    /// An explicit `trap` instruction, or running off the end of the code.
    Explicit,
    /// Bytes that are not a valid instruction.
    InvalidInstruction,
    /// A jump or branch to something that is not the start of a basic block.
    InvalidJump {
        /// The target address (a code offset, or a dynamic jump-table address).
        target: u32,
    },
    /// A load or store outside the accessible memory, or a store to read-only memory.
    MemoryAccess(Fault),
    /// A host function asked to stop execution.
    Host,
}

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

#[inline(always)]
fn sext32(value: u32) -> u64 {
    value as i32 as i64 as u64
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

macro_rules! reg {
    ($regs:ident, $index:expr) => {
        *reg_mut(&mut $regs, $index)
    };
}

enum Exit {
    Interrupt(Interrupt),
    Fault(Fault),
    Trap(TrapReason),
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

    /// Runs until an interrupt.
    pub fn run(&mut self, program: &Compiled) -> Interrupt {
        self.ecalli_next_pc = None;
        let (op_index, exit) = self.execute(program);
        self.interrupted_op = op_index;
        match exit {
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
        }
    }

    /// Resolves a dynamic jump address through the jump table.
    #[inline(always)]
    fn dynamic_target(program: &Compiled, address: u32) -> Result<u32, Exit> {
        if address == RETURN_TO_HOST {
            return Err(Exit::Interrupt(Interrupt::Finished));
        }
        let slot = if address != 0 && address % 2 == 0 {
            program.jump_table_ops.get((address / 2 - 1) as usize).copied()
        } else {
            None
        };
        match slot {
            Some(target) if target != INVALID_TARGET => Ok(target),
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
        // The current operation, as a pointer into `ops`: one addition per step instead
        // of an index scaled at every fetch. Only ever set to valid indices (see the
        // invariant on `Compiled::ops`): `next_op` comes from `instruction_op`, an
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
        macro_rules! set {
            ($op:ident, $value:expr) => {{
                let value = $value;
                reg!(regs, $op.d) = value;
                next!()
            }};
        }
        macro_rules! alu3 {
            ($op:ident, |$x:ident, $y:ident| $body:expr) => {{
                let $x = reg!(regs, $op.a);
                let $y = reg!(regs, $op.b);
                set!($op, $body)
            }};
        }
        macro_rules! alu_imm {
            ($op:ident, |$x:ident, $imm:ident| $body:expr) => {{
                let $x = reg!(regs, $op.a);
                let $imm = $op.imm;
                set!($op, $body)
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
        // Charges the gas of the block the cursor is at the start of, if metered.
        macro_rules! charge_and_continue {
            () => {{
                // SAFETY: `cursor` is valid: it was just moved to a block start.
                #[allow(unsafe_code)]
                let charge = unsafe { &*cursor };
                if charge.kind == Kind::ChargeGas {
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
                goto!(index!() as usize + 1)
            }};
        }
        macro_rules! load {
            ($op:ident, $address:expr, $n:literal, |$bytes:ident| $convert:expr) => {{
                match memory.load::<$n>($address) {
                    Ok($bytes) => set!($op, $convert),
                    Err(fault) => exit!(Exit::Fault(fault)),
                }
            }};
        }
        macro_rules! store {
            ($address:expr, $bytes:expr) => {{
                match memory.store($address, $bytes) {
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
                Kind::Trap => exit!(Exit::Trap(TrapReason::Explicit)),
                Kind::Invalid => exit!(Exit::Trap(TrapReason::InvalidInstruction)),
                Kind::InvalidBranch => exit!(Exit::Trap(TrapReason::InvalidJump { target: op.target })),
                Kind::Ecalli => {
                    self.ecalli_next_pc = Some(op.target);
                    let index = index!();
                    break (index, index + 1, Exit::Interrupt(Interrupt::Ecalli(op.imm as u32)));
                }
                Kind::Sbrk => {
                    let size = reg!(regs, op.a);
                    let size = if program.is_64_bit { u32::try_from(size).unwrap_or(0) } else { size as u32 };
                    let result = memory.sbrk(size).unwrap_or(0);
                    set!(op, sext32(result))
                }
                Kind::Memset => {
                    let mut address = regs[7] as u32;
                    let value = regs[8] as u8;
                    let mut count = regs[9] as u32;
                    let mut result = None;
                    while count > 0 {
                        if program.metering && gas <= 0 {
                            result = Some(Exit::Interrupt(Interrupt::NotEnoughGas));
                            break;
                        }
                        let allowed =
                            if program.metering { count.min(u32::try_from(gas).unwrap_or(u32::MAX)) } else { count };
                        let (written, fault) = memory.fill(address, value, allowed);
                        address = address.wrapping_add(written);
                        count -= written;
                        if program.metering {
                            gas -= Gas::from(written);
                        }
                        if let Some(fault) = fault {
                            result = Some(Exit::Fault(fault));
                            break;
                        }
                    }
                    regs[7] = u64::from(address);
                    regs[9] = u64::from(count);
                    match result {
                        None => next!(),
                        Some(exit) => exit!(exit),
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

                Kind::BranchEq => branch!(op, reg!(regs, op.a) == reg!(regs, op.b)),
                Kind::BranchNotEq => branch!(op, reg!(regs, op.a) != reg!(regs, op.b)),
                Kind::BranchLessUnsigned => branch!(op, reg!(regs, op.a) < reg!(regs, op.b)),
                Kind::BranchLessSigned => branch!(op, (reg!(regs, op.a) as i64) < (reg!(regs, op.b) as i64)),
                Kind::BranchGreaterOrEqualUnsigned => branch!(op, reg!(regs, op.a) >= reg!(regs, op.b)),
                Kind::BranchGreaterOrEqualSigned => branch!(op, (reg!(regs, op.a) as i64) >= (reg!(regs, op.b) as i64)),
                Kind::BranchEqImm => branch!(op, reg!(regs, op.a) == op.imm),
                Kind::BranchNotEqImm => branch!(op, reg!(regs, op.a) != op.imm),
                Kind::BranchLessUnsignedImm => branch!(op, reg!(regs, op.a) < op.imm),
                Kind::BranchLessOrEqualUnsignedImm => branch!(op, reg!(regs, op.a) <= op.imm),
                Kind::BranchGreaterOrEqualUnsignedImm => branch!(op, reg!(regs, op.a) >= op.imm),
                Kind::BranchGreaterUnsignedImm => branch!(op, reg!(regs, op.a) > op.imm),
                Kind::BranchLessSignedImm => branch!(op, (reg!(regs, op.a) as i64) < (op.imm as i64)),
                Kind::BranchLessOrEqualSignedImm => branch!(op, (reg!(regs, op.a) as i64) <= (op.imm as i64)),
                Kind::BranchGreaterOrEqualSignedImm => {
                    branch!(op, (reg!(regs, op.a) as i64) >= (op.imm as i64))
                }
                Kind::BranchGreaterSignedImm => branch!(op, (reg!(regs, op.a) as i64) > (op.imm as i64)),

                Kind::LoadImm => set!(op, op.imm),
                Kind::LoadImm64 => set!(op, op.imm),
                Kind::MoveReg => set!(op, reg!(regs, op.a)),

                Kind::LoadU8 => load!(op, op.imm as u32, 1, |b| u64::from(b[0])),
                Kind::LoadI8 => load!(op, op.imm as u32, 1, |b| b[0] as i8 as i64 as u64),
                Kind::LoadU16 => load!(op, op.imm as u32, 2, |b| u64::from(u16::from_le_bytes(b))),
                Kind::LoadI16 => load!(op, op.imm as u32, 2, |b| i16::from_le_bytes(b) as i64 as u64),
                Kind::LoadU32 => load!(op, op.imm as u32, 4, |b| u64::from(u32::from_le_bytes(b))),
                Kind::LoadI32 => load!(op, op.imm as u32, 4, |b| sext32(u32::from_le_bytes(b))),
                Kind::LoadU64 => load!(op, op.imm as u32, 8, |b| u64::from_le_bytes(b)),
                Kind::StoreU8 => store!(op.imm as u32, [reg!(regs, op.a) as u8]),
                Kind::StoreU16 => store!(op.imm as u32, (reg!(regs, op.a) as u16).to_le_bytes()),
                Kind::StoreU32 => store!(op.imm as u32, (reg!(regs, op.a) as u32).to_le_bytes()),
                Kind::StoreU64 => store!(op.imm as u32, reg!(regs, op.a).to_le_bytes()),

                Kind::LoadIndirectU8 => {
                    load!(op, (reg!(regs, op.a) as u32).wrapping_add(op.imm as u32), 1, |b| u64::from(b[0]))
                }
                Kind::LoadIndirectI8 => {
                    load!(op, (reg!(regs, op.a) as u32).wrapping_add(op.imm as u32), 1, |b| b[0] as i8 as i64 as u64)
                }
                Kind::LoadIndirectU16 => {
                    load!(op, (reg!(regs, op.a) as u32).wrapping_add(op.imm as u32), 2, |b| u64::from(
                        u16::from_le_bytes(b)
                    ))
                }
                Kind::LoadIndirectI16 => {
                    load!(
                        op,
                        (reg!(regs, op.a) as u32).wrapping_add(op.imm as u32),
                        2,
                        |b| i16::from_le_bytes(b) as i64 as u64
                    )
                }
                Kind::LoadIndirectU32 => {
                    load!(op, (reg!(regs, op.a) as u32).wrapping_add(op.imm as u32), 4, |b| u64::from(
                        u32::from_le_bytes(b)
                    ))
                }
                Kind::LoadIndirectI32 => {
                    load!(op, (reg!(regs, op.a) as u32).wrapping_add(op.imm as u32), 4, |b| sext32(u32::from_le_bytes(
                        b
                    )))
                }
                Kind::LoadIndirectU64 => {
                    load!(op, (reg!(regs, op.a) as u32).wrapping_add(op.imm as u32), 8, |b| u64::from_le_bytes(b))
                }
                Kind::StoreIndirectU8 => {
                    store!((reg!(regs, op.b) as u32).wrapping_add(op.imm as u32), [reg!(regs, op.a) as u8])
                }
                Kind::StoreIndirectU16 => {
                    store!(
                        (reg!(regs, op.b) as u32).wrapping_add(op.imm as u32),
                        (reg!(regs, op.a) as u16).to_le_bytes()
                    )
                }
                Kind::StoreIndirectU32 => {
                    store!(
                        (reg!(regs, op.b) as u32).wrapping_add(op.imm as u32),
                        (reg!(regs, op.a) as u32).to_le_bytes()
                    )
                }
                Kind::StoreIndirectU64 => {
                    store!((reg!(regs, op.b) as u32).wrapping_add(op.imm as u32), reg!(regs, op.a).to_le_bytes())
                }

                Kind::StoreImmU8 => store!(op.target, [op.imm as u8]),
                Kind::StoreImmU16 => store!(op.target, (op.imm as u16).to_le_bytes()),
                Kind::StoreImmU32 => store!(op.target, (op.imm as u32).to_le_bytes()),
                Kind::StoreImmU64 => store!(op.target, op.imm.to_le_bytes()),
                Kind::StoreImmIndirectU8 => store!((reg!(regs, op.b) as u32).wrapping_add(op.target), [op.imm as u8]),
                Kind::StoreImmIndirectU16 => {
                    store!((reg!(regs, op.b) as u32).wrapping_add(op.target), (op.imm as u16).to_le_bytes())
                }
                Kind::StoreImmIndirectU32 => {
                    store!((reg!(regs, op.b) as u32).wrapping_add(op.target), (op.imm as u32).to_le_bytes())
                }
                Kind::StoreImmIndirectU64 => {
                    store!((reg!(regs, op.b) as u32).wrapping_add(op.target), op.imm.to_le_bytes())
                }

                Kind::CountSetBits64 => set!(op, u64::from(reg!(regs, op.a).count_ones())),
                Kind::CountSetBits32 => set!(op, u64::from((reg!(regs, op.a) as u32).count_ones())),
                Kind::CountLeadingZeroBits64 => set!(op, u64::from(reg!(regs, op.a).leading_zeros())),
                Kind::CountLeadingZeroBits32 => set!(op, u64::from((reg!(regs, op.a) as u32).leading_zeros())),
                Kind::CountTrailingZeroBits64 => set!(op, u64::from(reg!(regs, op.a).trailing_zeros())),
                Kind::CountTrailingZeroBits32 => set!(op, u64::from((reg!(regs, op.a) as u32).trailing_zeros())),
                Kind::SignExtend8 => set!(op, reg!(regs, op.a) as i8 as i64 as u64),
                Kind::SignExtend16 => set!(op, reg!(regs, op.a) as i16 as i64 as u64),
                Kind::ZeroExtend16 => set!(op, u64::from(reg!(regs, op.a) as u16)),
                Kind::ReverseByte => set!(op, reg!(regs, op.a).swap_bytes()),
                Kind::ReverseByteW32 => set!(op, sext32((reg!(regs, op.a) as u32).swap_bytes())),

                Kind::AddImm32 => alu_imm!(op, |x, imm| sext32((x as u32).wrapping_add(imm as u32))),
                Kind::AddImm64 => alu_imm!(op, |x, imm| x.wrapping_add(imm)),
                Kind::AndImm => alu_imm!(op, |x, imm| x & imm),
                Kind::XorImm => alu_imm!(op, |x, imm| x ^ imm),
                Kind::OrImm => alu_imm!(op, |x, imm| x | imm),
                Kind::MulImm32 => alu_imm!(op, |x, imm| sext32((x as u32).wrapping_mul(imm as u32))),
                Kind::MulImm64 => alu_imm!(op, |x, imm| x.wrapping_mul(imm)),
                Kind::SetLessThanUnsignedImm => alu_imm!(op, |x, imm| u64::from(x < imm)),
                Kind::SetLessThanSignedImm => alu_imm!(op, |x, imm| u64::from((x as i64) < (imm as i64))),
                Kind::ShiftLogicalLeftImm32 => alu_imm!(op, |x, imm| sext32((x as u32).wrapping_shl(imm as u32))),
                Kind::ShiftLogicalRightImm32 => alu_imm!(op, |x, imm| sext32((x as u32).wrapping_shr(imm as u32))),
                Kind::ShiftArithmeticRightImm32 => {
                    alu_imm!(op, |x, imm| sext32(((x as i32).wrapping_shr(imm as u32)) as u32))
                }
                Kind::ShiftLogicalLeftImm64 => alu_imm!(op, |x, imm| x.wrapping_shl(imm as u32)),
                Kind::ShiftLogicalRightImm64 => alu_imm!(op, |x, imm| x.wrapping_shr(imm as u32)),
                Kind::ShiftArithmeticRightImm64 => alu_imm!(op, |x, imm| (x as i64).wrapping_shr(imm as u32) as u64),
                Kind::NegateAndAddImm32 => alu_imm!(op, |x, imm| sext32((imm as u32).wrapping_sub(x as u32))),
                Kind::NegateAndAddImm64 => alu_imm!(op, |x, imm| imm.wrapping_sub(x)),
                Kind::SetGreaterThanUnsignedImm => alu_imm!(op, |x, imm| u64::from(x > imm)),
                Kind::SetGreaterThanSignedImm => alu_imm!(op, |x, imm| u64::from((x as i64) > (imm as i64))),
                Kind::ShiftLogicalLeftImmAlt32 => alu_imm!(op, |x, imm| sext32((imm as u32).wrapping_shl(x as u32))),
                Kind::ShiftLogicalRightImmAlt32 => alu_imm!(op, |x, imm| sext32((imm as u32).wrapping_shr(x as u32))),
                Kind::ShiftArithmeticRightImmAlt32 => {
                    alu_imm!(op, |x, imm| sext32((imm as i32).wrapping_shr(x as u32) as u32))
                }
                Kind::ShiftLogicalLeftImmAlt64 => alu_imm!(op, |x, imm| imm.wrapping_shl(x as u32)),
                Kind::ShiftLogicalRightImmAlt64 => alu_imm!(op, |x, imm| imm.wrapping_shr(x as u32)),
                Kind::ShiftArithmeticRightImmAlt64 => {
                    alu_imm!(op, |x, imm| (imm as i64).wrapping_shr(x as u32) as u64)
                }
                Kind::CmovIfZeroImm => {
                    if reg!(regs, op.a) == 0 {
                        reg!(regs, op.d) = op.imm;
                    }
                    next!()
                }
                Kind::CmovIfNotZeroImm => {
                    if reg!(regs, op.a) != 0 {
                        reg!(regs, op.d) = op.imm;
                    }
                    next!()
                }
                Kind::RotateRightImm32 => alu_imm!(op, |x, imm| sext32((x as u32).rotate_right(imm as u32 & 31))),
                Kind::RotateRightImmAlt32 => alu_imm!(op, |x, imm| sext32((imm as u32).rotate_right(x as u32 & 31))),
                Kind::RotateRightImm64 => alu_imm!(op, |x, imm| x.rotate_right(imm as u32 & 63)),
                Kind::RotateRightImmAlt64 => alu_imm!(op, |x, imm| imm.rotate_right(x as u32 & 63)),

                Kind::Add32 => alu3!(op, |x, y| sext32((x as u32).wrapping_add(y as u32))),
                Kind::Sub32 => alu3!(op, |x, y| sext32((x as u32).wrapping_sub(y as u32))),
                Kind::Mul32 => alu3!(op, |x, y| sext32((x as u32).wrapping_mul(y as u32))),
                Kind::DivUnsigned32 => alu3!(op, |x, y| sext32(div_u32(x as u32, y as u32))),
                Kind::DivSigned32 => alu3!(op, |x, y| sext32(div_i32(x as i32, y as i32) as u32)),
                Kind::RemUnsigned32 => alu3!(op, |x, y| sext32(rem_u32(x as u32, y as u32))),
                Kind::RemSigned32 => alu3!(op, |x, y| sext32(rem_i32(x as i32, y as i32) as u32)),
                Kind::ShiftLogicalLeft32 => alu3!(op, |x, y| sext32((x as u32).wrapping_shl(y as u32))),
                Kind::ShiftLogicalRight32 => alu3!(op, |x, y| sext32((x as u32).wrapping_shr(y as u32))),
                Kind::ShiftArithmeticRight32 => alu3!(op, |x, y| sext32((x as i32).wrapping_shr(y as u32) as u32)),
                Kind::Add64 => alu3!(op, |x, y| x.wrapping_add(y)),
                Kind::Sub64 => alu3!(op, |x, y| x.wrapping_sub(y)),
                Kind::Mul64 => alu3!(op, |x, y| x.wrapping_mul(y)),
                Kind::DivUnsigned64 => alu3!(op, |x, y| div_u64(x, y)),
                Kind::DivSigned64 => alu3!(op, |x, y| div_i64(x as i64, y as i64) as u64),
                Kind::RemUnsigned64 => alu3!(op, |x, y| rem_u64(x, y)),
                Kind::RemSigned64 => alu3!(op, |x, y| rem_i64(x as i64, y as i64) as u64),
                Kind::ShiftLogicalLeft64 => alu3!(op, |x, y| x.wrapping_shl(y as u32)),
                Kind::ShiftLogicalRight64 => alu3!(op, |x, y| x.wrapping_shr(y as u32)),
                Kind::ShiftArithmeticRight64 => alu3!(op, |x, y| (x as i64).wrapping_shr(y as u32) as u64),
                Kind::And => alu3!(op, |x, y| x & y),
                Kind::Xor => alu3!(op, |x, y| x ^ y),
                Kind::Or => alu3!(op, |x, y| x | y),
                Kind::MulUpperSignedSigned => {
                    alu3!(op, |x, y| ((i128::from(x as i64) * i128::from(y as i64)) >> 64) as u64)
                }
                Kind::MulUpperUnsignedUnsigned => alu3!(op, |x, y| ((u128::from(x) * u128::from(y)) >> 64) as u64),
                Kind::MulUpperSignedUnsigned => {
                    alu3!(op, |x, y| ((i128::from(x as i64).wrapping_mul(y as i128)) >> 64) as u64)
                }
                Kind::MulUpperSignedSignedW32 => {
                    alu3!(op, |x, y| sext32(((i64::from(x as i32) * i64::from(y as i32)) >> 32) as u32))
                }
                Kind::MulUpperUnsignedUnsignedW32 => {
                    alu3!(op, |x, y| sext32(((u64::from(x as u32) * u64::from(y as u32)) >> 32) as u32))
                }
                Kind::MulUpperSignedUnsignedW32 => {
                    alu3!(op, |x, y| sext32(((i64::from(x as i32) * i64::from(y as u32)) >> 32) as u32))
                }
                Kind::SetLessThanUnsigned => alu3!(op, |x, y| u64::from(x < y)),
                Kind::SetLessThanSigned => alu3!(op, |x, y| u64::from((x as i64) < (y as i64))),
                Kind::CmovIfZero => {
                    if reg!(regs, op.b) == 0 {
                        reg!(regs, op.d) = reg!(regs, op.a);
                    }
                    next!()
                }
                Kind::CmovIfNotZero => {
                    if reg!(regs, op.b) != 0 {
                        reg!(regs, op.d) = reg!(regs, op.a);
                    }
                    next!()
                }
                Kind::RotateLeft64 => alu3!(op, |x, y| x.rotate_left(y as u32 & 63)),
                Kind::RotateLeft32 => alu3!(op, |x, y| sext32((x as u32).rotate_left(y as u32 & 31))),
                Kind::RotateRight64 => alu3!(op, |x, y| x.rotate_right(y as u32 & 63)),
                Kind::RotateRight32 => alu3!(op, |x, y| sext32((x as u32).rotate_right(y as u32 & 31))),
                Kind::AndInverted => alu3!(op, |x, y| x & !y),
                Kind::OrInverted => alu3!(op, |x, y| x | !y),
                Kind::Xnor => alu3!(op, |x, y| !(x ^ y)),
                Kind::Maximum => alu3!(op, |x, y| (x as i64).max(y as i64) as u64),
                Kind::MaximumUnsigned => alu3!(op, |x, y| x.max(y)),
                Kind::Minimum => alu3!(op, |x, y| (x as i64).min(y as i64) as u64),
                Kind::MinimumUnsigned => alu3!(op, |x, y| x.min(y)),
            }
        };
        self.regs = regs;
        self.gas = gas;
        self.next_op = next_op;
        (op_index, exit)
    }
}

// Division never traps (RISC-V semantics): x / 0 = all ones, x % 0 = x,
// MIN / -1 = MIN and MIN % -1 = 0.

#[inline(always)]
fn div_u32(x: u32, y: u32) -> u32 {
    x.checked_div(y).unwrap_or(u32::MAX)
}

#[inline(always)]
fn rem_u32(x: u32, y: u32) -> u32 {
    x.checked_rem(y).unwrap_or(x)
}

#[inline(always)]
fn div_i32(x: i32, y: i32) -> i32 {
    if y == 0 {
        -1
    } else {
        x.wrapping_div(y)
    }
}

#[inline(always)]
fn rem_i32(x: i32, y: i32) -> i32 {
    if y == 0 {
        x
    } else {
        x.wrapping_rem(y)
    }
}

#[inline(always)]
fn div_u64(x: u64, y: u64) -> u64 {
    x.checked_div(y).unwrap_or(u64::MAX)
}

#[inline(always)]
fn rem_u64(x: u64, y: u64) -> u64 {
    x.checked_rem(y).unwrap_or(x)
}

#[inline(always)]
fn div_i64(x: i64, y: i64) -> i64 {
    if y == 0 {
        -1
    } else {
        x.wrapping_div(y)
    }
}

#[inline(always)]
fn rem_i64(x: i64, y: i64) -> i64 {
    if y == 0 {
        x
    } else {
        x.wrapping_rem(y)
    }
}
