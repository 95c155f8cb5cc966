//! Lowering one RISC-V instruction into PVM instructions.
//!
//! Operands that need addresses the layout decides later (branch targets, return
//! addresses, data and code addresses) are left as ELF addresses in a [`Fix`]; the
//! emitter resolves them.
//!
//! The RISC-V zero register has no PVM counterpart, so instructions reading `x0`
//! are rewritten (immediate forms, constants, or — as a last resort — the
//! destination register loaded with zero and used as the operand).
//! Atomics are lowered to plain loads and stores (the VM is single-threaded); the
//! read-modify-write ones borrow two scratch registers, saved just below the stack
//! pointer (RISC-V has no red zone, so nothing lives there).

use pvm::program::Args;
use pvm::Opcode as O;

use crate::error::{LinkError, Result};
use crate::riscv::{AluOp, AmoOp, Cond, Inst, LoadKind, StoreKind, UnaryOp};

/// A late-bound operand of an [`Item`].
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Fix {
    None,
    /// `imm1` is the run-time value of this ELF address (a VM data address, or a
    /// jump-table address for code).
    Addr(u64),
    /// The branch/jump target operand is the pc of this code address.
    Target(u64),
    /// `load_imm_and_jump`: `imm1` = jump-table address of `ret`, target = pc of `target`.
    Call {
        ret: u64,
        target: u64,
    },
    /// `load_imm_and_jump_indirect`: `imm1` = jump-table address of `ret`.
    CallIndirect {
        ret: u64,
    },
}

/// One PVM instruction, possibly with a late-bound operand.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub struct Item {
    pub opcode: O,
    pub args: Args,
    pub fix: Fix,
}

/// PVM register index of a RISC-V register; `None` for `x0`.
pub fn map_reg(reg: u8, address: u64) -> Result<Option<u8>> {
    Ok(Some(match reg {
        0 => return Ok(None),
        1 => 0,
        2 => 1,
        5..=9 => reg - 3,
        10..=15 => reg - 3,
        _ => return Err(LinkError::UnsupportedRegister { reg, address }),
    }))
}

const SP: u8 = 1;

/// Builds the PVM instructions for one RISC-V instruction.
pub struct Lowerer {
    pub is_64: bool,
    /// The ELF address of the instruction being lowered.
    pub address: u64,
    /// Its size (2 or 4), for return addresses.
    pub size: u64,
    pub out: Vec<Item>,
}

fn args(regs: [u8; 3], imm1: u32, imm2: u32) -> Args {
    Args { regs, imm1, imm2 }
}

impl Lowerer {
    pub fn new(is_64: bool, address: u64, size: u64) -> Self {
        Lowerer { is_64, address, size, out: Vec::new() }
    }

    pub fn push(&mut self, opcode: O, regs: [u8; 3], imm1: u32, imm2: u32, fix: Fix) {
        self.out.push(Item { opcode, args: args(regs, imm1, imm2), fix });
    }

    fn op(&mut self, opcode: O, regs: [u8; 3], imm1: u32) {
        self.push(opcode, regs, imm1, 0, Fix::None);
    }

    fn reg(&self, reg: u8) -> Result<Option<u8>> {
        map_reg(reg, self.address)
    }

    fn untranslatable<T>(&self, reason: impl Into<String>) -> Result<T> {
        Err(LinkError::Untranslatable { address: self.address, reason: reason.into() })
    }

    pub fn load_imm(&mut self, rd: u8, value: u32) {
        self.op(O::LoadImm, [rd, 0, 0], value);
    }

    /// `rd = src`, sign-extending from 32 bits for a narrow operation on RV64.
    fn copy(&mut self, rd: u8, src: u8, narrow: bool) {
        if self.is_64 && narrow {
            self.op(O::AddImm32, [rd, src, 0], 0);
        } else {
            self.op(O::MoveReg, [rd, src, 0], 0);
        }
    }

    fn wide(&self, narrow: bool) -> bool {
        self.is_64 && !narrow
    }

    pub fn trap(&mut self) {
        self.op(O::Trap, [0; 3], 0);
    }

    /// Lowers a decoded instruction (everything but `auipc` and custom-0 markers,
    /// which need relocations or context).
    pub fn lower(&mut self, inst: Inst) -> Result<()> {
        match inst {
            Inst::Lui { rd, value } => {
                if let Some(rd) = self.reg(rd)? {
                    self.load_imm(rd, value);
                }
            }
            Inst::Auipc { .. } => return self.untranslatable("auipc without a PCREL_HI20/GOT_HI20/CALL relocation"),
            Inst::Jal { rd, offset } => {
                let target = self.address.wrapping_add_signed(i64::from(offset));
                self.jump_or_call(rd, target)?;
            }
            Inst::Jalr { rd, rs1, offset } => self.jalr(rd, rs1, offset)?,
            Inst::Branch { cond, rs1, rs2, offset } => {
                let target = self.address.wrapping_add_signed(i64::from(offset));
                self.branch(cond, rs1, rs2, target)?;
            }
            Inst::Load { kind, rd, rs1, offset } => self.load(kind, rd, rs1, offset)?,
            Inst::Store { kind, rs1, rs2, offset } => self.store(kind, rs1, rs2, offset)?,
            Inst::OpImm { op, narrow, rd, rs1, imm } => self.op_imm(op, narrow, rd, rs1, imm)?,
            Inst::Op { op, narrow, rd, rs1, rs2 } => self.op_reg(op, narrow, rd, rs1, rs2)?,
            Inst::Unary { op, narrow, rd, rs1 } => self.unary(op, narrow, rd, rs1)?,
            Inst::Cmov { if_zero, rd, rs1, rs2 } => self.cmov(if_zero, rd, rs1, rs2)?,
            Inst::Lr { wide, rd, rs1 } => {
                let base = self.reg(rs1)?.map_or_else(|| self.untranslatable("lr with x0 as the address"), Ok)?;
                if let Some(rd) = self.reg(rd)? {
                    self.op(if wide { O::LoadIndirectU64 } else { O::LoadIndirectI32 }, [rd, base, 0], 0);
                }
            }
            Inst::Sc { wide, rd, rs1, rs2 } => {
                let kind = if wide { StoreKind::U64 } else { StoreKind::U32 };
                self.store(kind, rs1, rs2, 0)?;
                // The store always succeeds.
                if let Some(rd) = self.reg(rd)? {
                    self.load_imm(rd, 0);
                }
            }
            Inst::Amo { op, wide, rd, rs1, rs2 } => self.amo(op, wide, rd, rs1, rs2)?,
            Inst::Fence => {}
            Inst::Ecall => return self.untranslatable("bare ecall instructions are not supported"),
            Inst::Ebreak | Inst::Unimp => self.trap(),
            Inst::Custom { .. } => return self.untranslatable("unknown custom-0 instruction"),
        }
        Ok(())
    }

    /// `jal`-like control transfer to a known code address.
    pub fn jump_or_call(&mut self, rd: u8, target: u64) -> Result<()> {
        match self.reg(rd)? {
            None => self.push(O::Jump, [0; 3], 0, 0, Fix::Target(target)),
            Some(ra) => {
                let ret = self.address.wrapping_add(self.size);
                self.push(O::LoadImmAndJump, [ra, 0, 0], 0, 0, Fix::Call { ret, target });
            }
        }
        Ok(())
    }

    fn jalr(&mut self, rd: u8, rs1: u8, offset: i32) -> Result<()> {
        let Some(base) = self.reg(rs1)? else {
            return self.untranslatable("jalr through x0 (an absolute jump) without a relocation");
        };
        if offset != 0 {
            return self.untranslatable("indirect jump with a non-zero offset (code addresses are jump-table indices)");
        }
        match self.reg(rd)? {
            None => self.op(O::JumpIndirect, [base, 0, 0], 0),
            Some(ra) => {
                let ret = self.address.wrapping_add(self.size);
                self.push(O::LoadImmAndJumpIndirect, [ra, base, 0], 0, 0, Fix::CallIndirect { ret });
            }
        }
        Ok(())
    }

    fn branch(&mut self, cond: Cond, rs1: u8, rs2: u8, target: u64) -> Result<()> {
        let fix = Fix::Target(target);
        match (self.reg(rs1)?, self.reg(rs2)?) {
            (Some(a), Some(b)) => {
                let opcode = match cond {
                    Cond::Eq => O::BranchEq,
                    Cond::Ne => O::BranchNotEq,
                    Cond::Lt => O::BranchLessSigned,
                    Cond::Ge => O::BranchGreaterOrEqualSigned,
                    Cond::Ltu => O::BranchLessUnsigned,
                    Cond::Geu => O::BranchGreaterOrEqualUnsigned,
                };
                self.push(opcode, [a, b, 0], 0, 0, fix);
            }
            (Some(a), None) => {
                let opcode = match cond {
                    Cond::Eq => O::BranchEqImm,
                    Cond::Ne => O::BranchNotEqImm,
                    Cond::Lt => O::BranchLessSignedImm,
                    Cond::Ge => O::BranchGreaterOrEqualSignedImm,
                    Cond::Ltu => O::BranchLessUnsignedImm,
                    Cond::Geu => O::BranchGreaterOrEqualUnsignedImm,
                };
                self.push(opcode, [a, 0, 0], 0, 0, fix);
            }
            (None, Some(b)) => {
                // `0 <cond> b`, i.e. `b <mirrored cond> 0`.
                let opcode = match cond {
                    Cond::Eq => O::BranchEqImm,
                    Cond::Ne => O::BranchNotEqImm,
                    Cond::Lt => O::BranchGreaterSignedImm,
                    Cond::Ge => O::BranchLessOrEqualSignedImm,
                    Cond::Ltu => O::BranchGreaterUnsignedImm,
                    Cond::Geu => O::BranchLessOrEqualUnsignedImm,
                };
                self.push(opcode, [b, 0, 0], 0, 0, fix);
            }
            (None, None) => {
                if matches!(cond, Cond::Eq | Cond::Ge | Cond::Geu) {
                    self.push(O::Jump, [0; 3], 0, 0, fix);
                }
            }
        }
        Ok(())
    }

    fn load(&mut self, kind: LoadKind, rd: u8, rs1: u8, offset: i32) -> Result<()> {
        let Some(base) = self.reg(rs1)? else {
            if rd == 0 && offset == 0 {
                // `lw zero, 0(zero)` and friends: a poor man's trap.
                self.trap();
                return Ok(());
            }
            return self.untranslatable("absolute load without a relocation");
        };
        // LLVM may rewrite dead destinations to x0.
        if let Some(rd) = self.reg(rd)? {
            self.op(load_indirect_opcode(kind), [rd, base, 0], offset as u32);
        }
        Ok(())
    }

    fn store(&mut self, kind: StoreKind, rs1: u8, rs2: u8, offset: i32) -> Result<()> {
        let Some(base) = self.reg(rs1)? else {
            if rs2 == 0 && offset == 0 {
                self.trap();
                return Ok(());
            }
            return self.untranslatable("absolute store without a relocation");
        };
        match self.reg(rs2)? {
            Some(src) => self.op(store_indirect_opcode(kind), [src, base, 0], offset as u32),
            None => {
                let opcode = match kind {
                    StoreKind::U8 => O::StoreImmIndirectU8,
                    StoreKind::U16 => O::StoreImmIndirectU16,
                    StoreKind::U32 => O::StoreImmIndirectU32,
                    StoreKind::U64 => O::StoreImmIndirectU64,
                };
                self.push(opcode, [base, 0, 0], offset as u32, 0, Fix::None);
            }
        }
        Ok(())
    }

    fn op_imm(&mut self, op: AluOp, narrow: bool, rd: u8, rs1: u8, imm: i32) -> Result<()> {
        let Some(rd) = self.reg(rd)? else { return Ok(()) };
        let Some(src) = self.reg(rs1)? else {
            // `op(0, imm)`: only `li`-style constants are meaningful.
            let value = match op {
                AluOp::Add | AluOp::Or | AluOp::Xor => imm,
                AluOp::Slt => i32::from(0 < imm),
                AluOp::Sltu => i32::from(imm != 0),
                _ => 0,
            };
            self.load_imm(rd, value as u32);
            return Ok(());
        };
        if op == AluOp::Add && imm == 0 {
            self.copy(rd, src, narrow);
            return Ok(());
        }
        let wide = self.wide(narrow);
        let pick = |narrow_op, wide_op| if wide { wide_op } else { narrow_op };
        let opcode = match op {
            AluOp::Add => pick(O::AddImm32, O::AddImm64),
            AluOp::Slt => O::SetLessThanSignedImm,
            AluOp::Sltu => O::SetLessThanUnsignedImm,
            AluOp::Xor => O::XorImm,
            AluOp::Or => O::OrImm,
            AluOp::And => O::AndImm,
            AluOp::Sll => pick(O::ShiftLogicalLeftImm32, O::ShiftLogicalLeftImm64),
            AluOp::Srl => pick(O::ShiftLogicalRightImm32, O::ShiftLogicalRightImm64),
            AluOp::Sra => pick(O::ShiftArithmeticRightImm32, O::ShiftArithmeticRightImm64),
            AluOp::Ror => pick(O::RotateRightImm32, O::RotateRightImm64),
            other => return self.untranslatable(format!("no immediate form of {other:?}")),
        };
        self.op(opcode, [rd, src, 0], imm as u32);
        Ok(())
    }

    fn op_reg(&mut self, op: AluOp, narrow: bool, rd: u8, rs1: u8, rs2: u8) -> Result<()> {
        let Some(rd) = self.reg(rd)? else { return Ok(()) };
        let wide = self.wide(narrow);
        match (self.reg(rs1)?, self.reg(rs2)?) {
            (Some(a), Some(b)) => self.op(alu_opcode(op, wide), [rd, a, b], 0),
            (Some(a), None) if self.with_zero_rhs(op, narrow, rd, a) => {}
            (None, Some(b)) if self.with_zero_lhs(op, narrow, rd, b) => {}
            (a, b) => {
                // Use `rd` itself as the zero operand; only valid if `rd` is not the other source.
                if a == Some(rd) || b == Some(rd) {
                    return self.untranslatable(format!("{op:?} with x0 and the destination as operands"));
                }
                self.load_imm(rd, 0);
                self.op(alu_opcode(op, wide), [rd, a.unwrap_or(rd), b.unwrap_or(rd)], 0);
            }
        }
        Ok(())
    }

    /// `rd = a op 0`; returns false if there is no direct translation.
    fn with_zero_rhs(&mut self, op: AluOp, narrow: bool, rd: u8, a: u8) -> bool {
        use AluOp as A;
        match op {
            A::Add
            | A::Sub
            | A::Or
            | A::Xor
            | A::Sll
            | A::Srl
            | A::Sra
            | A::Rol
            | A::Ror
            | A::Rem
            | A::Remu
            | A::Andn
            | A::Maxu => self.copy(rd, a, narrow),
            A::And | A::Mul | A::Mulh | A::Mulhsu | A::Mulhu | A::Sltu | A::Minu => self.load_imm(rd, 0),
            A::Div | A::Divu | A::Orn => self.load_imm(rd, u32::MAX),
            A::Slt => self.op(O::SetLessThanSignedImm, [rd, a, 0], 0),
            A::Xnor => self.op(O::XorImm, [rd, a, 0], u32::MAX),
            A::Min | A::Max => return false,
        }
        true
    }

    /// `rd = 0 op b`; returns false if there is no direct translation.
    fn with_zero_lhs(&mut self, op: AluOp, narrow: bool, rd: u8, b: u8) -> bool {
        use AluOp as A;
        let wide = self.wide(narrow);
        match op {
            A::Add | A::Or | A::Xor | A::Maxu => self.copy(rd, b, narrow),
            A::Sub => self.op(if wide { O::NegateAndAddImm64 } else { O::NegateAndAddImm32 }, [rd, b, 0], 0),
            A::Sll | A::Srl | A::Sra | A::Rol | A::Ror | A::And | A::Mul | A::Mulh | A::Mulhsu | A::Mulhu => {
                self.load_imm(rd, 0)
            }
            A::Rem | A::Remu | A::Andn | A::Minu => self.load_imm(rd, 0),
            A::Slt => self.op(O::SetGreaterThanSignedImm, [rd, b, 0], 0),
            A::Sltu => self.op(O::SetGreaterThanUnsignedImm, [rd, b, 0], 0),
            A::Orn | A::Xnor => self.op(O::XorImm, [rd, b, 0], u32::MAX),
            A::Div | A::Divu | A::Min | A::Max => return false,
        }
        true
    }

    fn unary(&mut self, op: UnaryOp, narrow: bool, rd: u8, rs1: u8) -> Result<()> {
        let Some(rd) = self.reg(rd)? else { return Ok(()) };
        let wide = self.wide(narrow);
        let Some(src) = self.reg(rs1)? else {
            let value = match op {
                UnaryOp::Clz | UnaryOp::Ctz if wide => 64,
                UnaryOp::Clz | UnaryOp::Ctz => 32,
                _ => 0,
            };
            self.load_imm(rd, value);
            return Ok(());
        };
        let pick = |narrow_op, wide_op| if wide { wide_op } else { narrow_op };
        let opcode = match op {
            UnaryOp::Clz => pick(O::CountLeadingZeroBits32, O::CountLeadingZeroBits64),
            UnaryOp::Ctz => pick(O::CountTrailingZeroBits32, O::CountTrailingZeroBits64),
            UnaryOp::Cpop => pick(O::CountSetBits32, O::CountSetBits64),
            UnaryOp::SextB => O::SignExtend8,
            UnaryOp::SextH => O::SignExtend16,
            UnaryOp::ZextH => O::ZeroExtend16,
            UnaryOp::Rev8 => O::ReverseByte,
            UnaryOp::OrcB => return self.untranslatable("orc.b is not supported yet"),
        };
        self.op(opcode, [rd, src, 0], 0);
        Ok(())
    }

    fn cmov(&mut self, if_zero: bool, rd: u8, rs1: u8, rs2: u8) -> Result<()> {
        let Some(rd) = self.reg(rd)? else { return Ok(()) };
        let src = self.reg(rs1)?;
        match (self.reg(rs2)?, src) {
            // The condition register is x0: always zero.
            (None, Some(src)) if if_zero => self.op(O::MoveReg, [rd, src, 0], 0),
            (None, None) if if_zero => self.load_imm(rd, 0),
            (None, _) => {}
            (Some(cond), Some(src)) => {
                self.op(if if_zero { O::CmovIfZero } else { O::CmovIfNotZero }, [rd, src, cond], 0);
            }
            (Some(cond), None) => {
                self.op(if if_zero { O::CmovIfZeroImm } else { O::CmovIfNotZeroImm }, [rd, cond, 0], 0);
            }
        }
        Ok(())
    }

    /// Read-modify-write atomics, lowered with two scratch registers saved below `sp`.
    fn amo(&mut self, op: AmoOp, wide: bool, rd: u8, rs1: u8, rs2: u8) -> Result<()> {
        let Some(addr) = self.reg(rs1)? else {
            return self.untranslatable("atomic operation with x0 as the address");
        };
        let dst = self.reg(rd)?;
        let operand = self.reg(rs2)?;
        let busy = [Some(addr), dst, operand, Some(SP)];
        let mut free = (0..13u8).filter(|r| !busy.contains(&Some(*r)));
        let (Some(old), Some(new)) = (free.next(), free.next()) else {
            return self.untranslatable("no scratch registers");
        };
        let (slot, save, restore) = if self.is_64 {
            (8u32, O::StoreIndirectU64, O::LoadIndirectU64)
        } else {
            (4, O::StoreIndirectU32, O::LoadIndirectU32)
        };
        let restore = if self.is_64 { restore } else { O::LoadIndirectI32 };
        self.op(save, [old, SP, 0], slot.wrapping_neg());
        self.op(save, [new, SP, 0], (2 * slot).wrapping_neg());
        self.op(if wide { O::LoadIndirectU64 } else { O::LoadIndirectI32 }, [old, addr, 0], 0);
        // `new = operand` (sign-extended from 32 bits for the word forms on RV64).
        match operand {
            Some(src) if wide || !self.is_64 => self.op(O::MoveReg, [new, src, 0], 0),
            Some(src) => self.op(O::AddImm32, [new, src, 0], 0),
            None => self.load_imm(new, 0),
        }
        let full = self.is_64 && wide;
        let opcode = match op {
            AmoOp::Swap => None,
            AmoOp::Add => Some(if full { O::Add64 } else { O::Add32 }),
            AmoOp::Xor => Some(O::Xor),
            AmoOp::And => Some(O::And),
            AmoOp::Or => Some(O::Or),
            AmoOp::Min => Some(O::Minimum),
            AmoOp::Max => Some(O::Maximum),
            AmoOp::Minu => Some(O::MinimumUnsigned),
            AmoOp::Maxu => Some(O::MaximumUnsigned),
        };
        if let Some(opcode) = opcode {
            self.op(opcode, [new, old, new], 0);
        }
        let store = if wide { O::StoreIndirectU64 } else { O::StoreIndirectU32 };
        self.op(store, [new, addr, 0], 0);
        if let Some(dst) = dst {
            self.op(O::MoveReg, [dst, old, 0], 0);
        }
        self.op(restore, [old, SP, 0], slot.wrapping_neg());
        self.op(restore, [new, SP, 0], (2 * slot).wrapping_neg());
        Ok(())
    }
}

/// The register-register opcode of an ALU operation.
pub fn alu_opcode(op: AluOp, wide: bool) -> O {
    use AluOp as A;
    let pick = |narrow_op, wide_op| if wide { wide_op } else { narrow_op };
    match op {
        A::Add => pick(O::Add32, O::Add64),
        A::Sub => pick(O::Sub32, O::Sub64),
        A::Sll => pick(O::ShiftLogicalLeft32, O::ShiftLogicalLeft64),
        A::Srl => pick(O::ShiftLogicalRight32, O::ShiftLogicalRight64),
        A::Sra => pick(O::ShiftArithmeticRight32, O::ShiftArithmeticRight64),
        A::Slt => O::SetLessThanSigned,
        A::Sltu => O::SetLessThanUnsigned,
        A::Xor => O::Xor,
        A::Or => O::Or,
        A::And => O::And,
        A::Mul => pick(O::Mul32, O::Mul64),
        A::Mulh => O::MulUpperSignedSigned,
        A::Mulhsu => O::MulUpperSignedUnsigned,
        A::Mulhu => O::MulUpperUnsignedUnsigned,
        A::Div => pick(O::DivSigned32, O::DivSigned64),
        A::Divu => pick(O::DivUnsigned32, O::DivUnsigned64),
        A::Rem => pick(O::RemSigned32, O::RemSigned64),
        A::Remu => pick(O::RemUnsigned32, O::RemUnsigned64),
        A::Andn => O::AndInverted,
        A::Orn => O::OrInverted,
        A::Xnor => O::Xnor,
        A::Min => O::Minimum,
        A::Minu => O::MinimumUnsigned,
        A::Max => O::Maximum,
        A::Maxu => O::MaximumUnsigned,
        A::Rol => pick(O::RotateLeft32, O::RotateLeft64),
        A::Ror => pick(O::RotateRight32, O::RotateRight64),
    }
}

pub fn load_indirect_opcode(kind: LoadKind) -> O {
    match kind {
        LoadKind::I8 => O::LoadIndirectI8,
        LoadKind::U8 => O::LoadIndirectU8,
        LoadKind::I16 => O::LoadIndirectI16,
        LoadKind::U16 => O::LoadIndirectU16,
        LoadKind::I32 => O::LoadIndirectI32,
        LoadKind::U32 => O::LoadIndirectU32,
        LoadKind::U64 => O::LoadIndirectU64,
    }
}

pub fn store_indirect_opcode(kind: StoreKind) -> O {
    match kind {
        StoreKind::U8 => O::StoreIndirectU8,
        StoreKind::U16 => O::StoreIndirectU16,
        StoreKind::U32 => O::StoreIndirectU32,
        StoreKind::U64 => O::StoreIndirectU64,
    }
}

/// The absolute (address-immediate) load opcode.
pub fn load_abs_opcode(kind: LoadKind) -> O {
    match kind {
        LoadKind::I8 => O::LoadI8,
        LoadKind::U8 => O::LoadU8,
        LoadKind::I16 => O::LoadI16,
        LoadKind::U16 => O::LoadU16,
        LoadKind::I32 => O::LoadI32,
        LoadKind::U32 => O::LoadU32,
        LoadKind::U64 => O::LoadU64,
    }
}

/// The absolute store opcodes: `(register source, immediate source)`.
pub fn store_abs_opcodes(kind: StoreKind) -> (O, O) {
    match kind {
        StoreKind::U8 => (O::StoreU8, O::StoreImmU8),
        StoreKind::U16 => (O::StoreU16, O::StoreImmU16),
        StoreKind::U32 => (O::StoreU32, O::StoreImmU32),
        StoreKind::U64 => (O::StoreU64, O::StoreImmU64),
    }
}
