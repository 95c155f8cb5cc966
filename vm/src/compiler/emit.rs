//! Translation of a lowered program into x86-64 machine code, in one pass over its
//! operations.
//!
//! The compiler starts from the same lowered form as the interpreter
//! ([`Compiled`]: operations with resolved registers, immediates and targets, a gas
//! charge at the start of every basic block, invalid jumps already turned into traps),
//! so the two backends cannot disagree on what a program means, only on how each
//! operation runs; and operation indices are the shared currency for program counters,
//! resumption and faults. Each operation becomes a self-contained piece of code at its
//! own label: any operation can be entered (after a host call, a page fault, on a call
//! into the middle of a block), with the guest registers in their host registers.
//!
//! Conventions inside generated code:
//! - guest registers live in the host registers [`HOST_REG`]; `r15` and the GS base
//!   hold the base of the guest's memory, with the [`Context`] just below it; a load or
//!   store addresses guest byte `a` as `gs:[a]` with a 32-bit address size, so the
//!   guest's address arithmetic wraps at 32 bits in hardware and stays inside the
//!   reservation (one instruction per access); `rax` is scratch;
//! - the host's callee-saved registers and stack pointer are saved by the entry
//!   sequence and restored by the exit sequence; guest code uses the host stack only
//!   for short pushes around instructions that need `rcx` or `rdx`, and never faults
//!   in between;
//! - every stop stores a reason, the operation index and an argument into the context
//!   and jumps to the exit sequence; the signal handler resumes faulting code at
//!   `fault_exit`, which skips saving the registers (it saved them itself).
#![allow(unsafe_code)]
// dynasm's dynamic register operands (`Rq(n)`) expand to `n.into()`.
#![allow(clippy::useless_conversion)]

use alloc::vec::Vec;
use core::mem::offset_of;

use dynasmrt::x64::Assembler;
use dynasmrt::{dynasm, DynamicLabel, DynasmApi, DynasmLabelApi, ExecutableBuffer};

use super::sandbox::{Context, CONTEXT_OFFSET};
use crate::interpreter::compile::{Compiled, Kind, Op, INVALID_TARGET};
use crate::isa::Opcode;
use crate::memory::RETURN_TO_HOST;

/// The host register (x86-64 number) of each guest register, in guest register order
/// (`ra`, `sp`, `t0`..`t2`, `s0`, `s1`, `a0`..`a5`). Not `rax` (scratch), `rsp` or
/// `r15` (memory base). `rcx` and `rdx`, which shifts, multiplications and divisions
/// borrow, hold `a4` and `a5`, the least used.
pub(crate) const HOST_REG: [u8; 13] = [3, 6, 7, 5, 8, 9, 10, 11, 12, 13, 14, 1, 2];

/// Why generated code stopped (`Context::exit_reason`); see also
/// [`super::signal::FAULT_EXIT`].
pub(crate) mod exit {
    /// A jump to the return-to-host address.
    pub const FINISHED: u32 = 0;
    pub const TRAP: u32 = 1;
    pub const INVALID_INSTRUCTION: u32 = 2;
    /// A jump to an invalid target (`exit_arg`).
    pub const INVALID_JUMP: u32 = 3;
    /// A host call (`exit_arg`).
    pub const ECALLI: u32 = 4;
    pub const NOT_ENOUGH_GAS: u32 = 5;
    /// `memset` and `sbrk` run in the host, which then resumes after them.
    pub const MEMSET: u32 = 6;
    pub const SBRK: u32 = 7;
}

/// Displacement of a context field from `r15`.
const fn field(offset: usize) -> i32 {
    offset as i32 - CONTEXT_OFFSET as i32
}
const REGS: i32 = field(offset_of!(Context, regs));
const GAS: i32 = field(offset_of!(Context, gas));
const HOST_RSP: i32 = field(offset_of!(Context, host_rsp));
const EXIT_REASON: i32 = field(offset_of!(Context, exit_reason));
const EXIT_OP: i32 = field(offset_of!(Context, exit_op));
const EXIT_ARG: i32 = field(offset_of!(Context, exit_arg));
const SCRATCH: i32 = field(offset_of!(Context, scratch));
const HOST_GS: i32 = field(offset_of!(Context, host_gs));

/// `gs` segment override and 32-bit address size: see [`Emitter::guest_address`].
const GUEST_ADDRESS_PREFIXES: [u8; 2] = [0x65, 0x67];
/// `rdgsbase rax`, `wrgsbase rax`, `wrgsbase r15` (FSGSBASE; encoded here, as the
/// assembler does not know them).
const RDGSBASE_RAX: [u8; 5] = [0xf3, 0x48, 0x0f, 0xae, 0xc8];
const WRGSBASE_RAX: [u8; 5] = [0xf3, 0x48, 0x0f, 0xae, 0xd8];
const WRGSBASE_R15: [u8; 5] = [0xf3, 0x49, 0x0f, 0xae, 0xdf];

/// The code could not be generated (out of memory for the code buffer, or an
/// assembler error).
#[derive(Copy, Clone, Debug)]
pub(crate) struct CompileError;

/// A program translated to machine code.
pub(crate) struct Program {
    /// The lowered form the code was made from: operation pcs, jump targets, the
    /// instruction-to-operation map, for the backend-neutral bookkeeping.
    pub lowered: Compiled,
    code: ExecutableBuffer,
    /// The code offset of each operation.
    op_offsets: Vec<u32>,
    entry: usize,
    fault_exit: usize,
    /// Where the operations' code ends (the rare paths and the exit sequence follow).
    operations_end: u32,
    /// Reservations set up for this module's instances.
    pub pool: alloc::sync::Arc<super::sandbox::ModulePool>,
    /// Dynamic jump targets by guest address (`address * 8`), read by generated code:
    /// the code address of the target's operation, or of the invalid-jump exit.
    _jump_table: alloc::boxed::Box<[u64]>,
}

/// `extern "sysv64" fn(base, code)`: runs guest code at `code` with memory `base`.
type Entry = unsafe extern "sysv64" fn(*mut u8, *const u8);

impl Program {
    /// Translates `lowered`.
    pub fn new(lowered: Compiled) -> Result<Program, CompileError> {
        let max_address = 2 * lowered.jump_table_ops.len() as u32;
        let mut jump_table = alloc::vec![0u64; max_address as usize + 1].into_boxed_slice();
        let mut emitter = Emitter::new(&lowered, jump_table.as_ptr() as i64, max_address)?;
        let entry = emitter.prologue();
        let mut op_offsets = Vec::with_capacity(lowered.ops.len());
        for (index, op) in lowered.ops.iter().enumerate() {
            let label = emitter.labels[index];
            dynasm!(emitter.asm ; .arch x64 ; =>label);
            op_offsets.push(emitter.asm.offset().0 as u32);
            emitter.operation(index as u32, op);
        }
        let operations_end = emitter.asm.offset().0 as u32;
        let (fault_exit, invalid_jump) = emitter.epilogue();
        // Committing first reports relocation errors (which `finalize` would panic on).
        emitter.asm.commit().map_err(|_| CompileError)?;
        let code = emitter.asm.finalize().map_err(|_| CompileError)?;

        let invalid = code.ptr(invalid_jump) as u64;
        for (address, slot) in jump_table.iter_mut().enumerate() {
            let target = (address != 0 && address % 2 == 0)
                .then(|| lowered.jump_table_ops[address / 2 - 1])
                .filter(|&op| op != INVALID_TARGET);
            *slot = target
                .map_or(invalid, |op| code.ptr(dynasmrt::AssemblyOffset(op_offsets[op as usize] as usize)) as u64);
        }
        Ok(Program {
            lowered,
            code,
            op_offsets,
            entry: entry.0,
            fault_exit: fault_exit.0,
            operations_end,
            pool: Default::default(),
            _jump_table: jump_table,
        })
    }

    /// The address range of the operations' code: the only code in which a fault is a
    /// guest's (a load or store the memory map forbids). Entry and exit sequences and
    /// rare paths touch only the host's stack and the context.
    pub fn code_range(&self) -> (u64, u64) {
        let start = self.code.as_ptr() as u64;
        let first = self.op_offsets.first().map_or(self.operations_end, |&offset| offset);
        (start + u64::from(first), start + u64::from(self.operations_end))
    }

    /// Where the signal handler resumes a faulting thread.
    pub fn fault_exit_address(&self) -> u64 {
        self.code.ptr(dynasmrt::AssemblyOffset(self.fault_exit)) as u64
    }

    /// The operation whose code contains the host address `rip`.
    pub fn op_at(&self, rip: u64) -> Option<u32> {
        let (first, end) = self.code_range();
        if !(first..end).contains(&rip) {
            return None;
        }
        let offset = (rip - self.code.as_ptr() as u64) as u32;
        let after = self.op_offsets.partition_point(|&op_offset| op_offset <= offset);
        after.checked_sub(1).map(|op| op as u32)
    }

    /// Runs guest code from operation `op` until it stops; the registers and gas are
    /// in the context below `base`, and so is why it stopped.
    ///
    /// # Safety
    /// `base` must be the base of a reservation set up for this program's memory map,
    /// whose context has this program's code range and fault exit, with this thread
    /// marked as running it (see `signal::Running`); `op` must be a valid operation.
    pub unsafe fn enter(&self, base: *mut u8, op: u32) {
        let target = self.code.ptr(dynasmrt::AssemblyOffset(self.op_offsets[op as usize] as usize));
        // SAFETY: `entry` is the offset of the entry sequence, which has this ABI.
        let entry: Entry = unsafe { core::mem::transmute(self.code.ptr(dynasmrt::AssemblyOffset(self.entry))) };
        // SAFETY: the caller provides a reservation and context this code may use; the
        // entry sequence saves and restores everything the ABI asks for.
        unsafe { entry(base, target) }
    }
}

/// Code that runs only on a rare path, placed after all operations.
enum Stub {
    /// A block's gas charge failed: undo it and stop.
    NotEnoughGas { op: u32, cost: u32 },
}

struct Emitter {
    asm: Assembler,
    /// One label per operation (jump and branch targets).
    labels: Vec<DynamicLabel>,
    /// Stores the guest registers and returns to the host.
    exit: DynamicLabel,
    /// Stops with `INVALID_JUMP`; the operation and target are already stored.
    invalid_jump: DynamicLabel,
    /// A dynamic jump beyond the jump table: the return-to-host address, or invalid.
    out_of_table: DynamicLabel,
    stubs: Vec<(DynamicLabel, Stub)>,
    jump_table: i64,
    max_address: u32,
}

/// Emits into `$emitter.asm`.
macro_rules! asm {
    ($emitter:expr ; $($t:tt)*) => {
        dynasm!($emitter.asm ; .arch x64 ; $($t)*)
    };
}

impl Emitter {
    fn new(lowered: &Compiled, jump_table: i64, max_address: u32) -> Result<Self, CompileError> {
        let mut asm = Assembler::new().map_err(|_| CompileError)?;
        let labels = (0..lowered.ops.len()).map(|_| asm.new_dynamic_label()).collect();
        let exit = asm.new_dynamic_label();
        let invalid_jump = asm.new_dynamic_label();
        let out_of_table = asm.new_dynamic_label();
        Ok(Emitter { asm, labels, exit, invalid_jump, out_of_table, stubs: Vec::new(), jump_table, max_address })
    }

    /// The entry sequence: `(base: rdi, code: rsi)`. Saves the host's callee-saved
    /// registers and stack pointer, loads the guest registers, jumps to `code`.
    fn prologue(&mut self) -> dynasmrt::AssemblyOffset {
        let entry = self.asm.offset();
        asm!(self
            ; push rbx ; push rbp ; push r12 ; push r13 ; push r14 ; push r15
            ; mov r15, rdi
            ; mov [r15 + HOST_RSP], rsp
            // GS's base becomes the guest memory's base (the host's is restored on exit).
            ; .bytes RDGSBASE_RAX.iter()
            ; mov [r15 + HOST_GS], rax
            ; .bytes WRGSBASE_R15.iter()
            ; mov rax, rsi
        );
        for (guest, &host) in HOST_REG.iter().enumerate() {
            asm!(self ; mov Rq(host), [r15 + REGS + 8 * guest as i32]);
        }
        asm!(self ; jmp rax);
        entry
    }

    /// The rare paths, the shared exits and the exit sequence; returns the offsets of
    /// the fault exit and of the invalid-jump exit.
    fn epilogue(&mut self) -> (dynasmrt::AssemblyOffset, dynasmrt::AssemblyOffset) {
        for (label, stub) in core::mem::take(&mut self.stubs) {
            asm!(self ; =>label);
            match stub {
                Stub::NotEnoughGas { op, cost } => {
                    self.adjust_gas(cost, false);
                    self.stop(exit::NOT_ENOUGH_GAS, op, None);
                }
            }
        }
        let (exit, invalid_jump, out_of_table) = (self.exit, self.invalid_jump, self.out_of_table);
        asm!(self
            ; =>out_of_table
            ; cmp eax, RETURN_TO_HOST as i32
            ; jne =>invalid_jump
            ; mov DWORD [r15 + EXIT_REASON], exit::FINISHED as i32
            ; jmp =>exit
        );
        let invalid_jump_offset = self.asm.offset();
        asm!(self
            ; =>invalid_jump
            ; mov DWORD [r15 + EXIT_REASON], exit::INVALID_JUMP as i32
            ; jmp =>exit
            ; =>exit
        );
        for (guest, &host) in HOST_REG.iter().enumerate() {
            asm!(self ; mov [r15 + REGS + 8 * guest as i32], Rq(host));
        }
        let fault_exit = self.asm.offset();
        asm!(self
            ; mov rsp, [r15 + HOST_RSP]
            ; mov rax, [r15 + HOST_GS]
            ; .bytes WRGSBASE_RAX.iter()
            ; pop r15 ; pop r14 ; pop r13 ; pop r12 ; pop rbp ; pop rbx
            ; ret
        );
        (fault_exit, invalid_jump_offset)
    }

    /// Stops: stores the reason, the operation and the argument, and exits.
    fn stop(&mut self, reason: u32, op: u32, argument: Option<u32>) {
        asm!(self
            ; mov DWORD [r15 + EXIT_REASON], reason as i32
            ; mov DWORD [r15 + EXIT_OP], op as i32
        );
        if let Some(argument) = argument {
            asm!(self ; mov DWORD [r15 + EXIT_ARG], argument as i32);
        }
        let exit = self.exit;
        asm!(self ; jmp =>exit);
    }

    /// Subtracts (or adds back) `cost` from the gas.
    fn adjust_gas(&mut self, cost: u32, subtract: bool) {
        match (i32::try_from(cost), subtract) {
            (Ok(cost), true) => asm!(self ; sub QWORD [r15 + GAS], cost),
            (Ok(cost), false) => asm!(self ; add QWORD [r15 + GAS], cost),
            (Err(_), true) => asm!(self ; mov eax, cost as i32 ; sub [r15 + GAS], rax),
            (Err(_), false) => asm!(self ; mov eax, cost as i32 ; add [r15 + GAS], rax),
        }
    }

    /// Emits the prefixes that make the next instruction's memory operand a guest
    /// address: GS-relative (GS's base is the guest memory's base while guest code runs)
    /// with a 32-bit address size, so `base + offset` wraps at 32 bits in hardware and
    /// always lands inside the reservation. Returns the base register and offset to use
    /// in the operand (an absolute address goes through `rax`).
    fn guest_address(&mut self, address: Address) -> (u8, i32) {
        let (base, offset) = match address {
            Address::Absolute(address) => {
                asm!(self ; mov eax, address as i32);
                (RAX, 0)
            }
            Address::Indirect { base, offset } => (base, offset),
        };
        asm!(self ; .bytes GUEST_ADDRESS_PREFIXES.iter());
        (base, offset)
    }

    fn operation(&mut self, index: u32, op: &Op) {
        // A superinstruction's first part is its own operation; its second part is the
        // next one, compiled on its own.
        let kind = op.kind.parts().map_or(op.kind, |(first, _)| first);
        match kind {
            Kind::ChargeGas => {
                let cost = op.imm as u32;
                self.adjust_gas(cost, true);
                let stub = self.asm.new_dynamic_label();
                self.stubs.push((stub, Stub::NotEnoughGas { op: index, cost }));
                // Gas is never negative when code runs, and a cost fits in 32 bits:
                // the result is negative exactly when the gas did not suffice.
                asm!(self ; js =>stub);
            }
            Kind::Invalid => self.stop(exit::INVALID_INSTRUCTION, index, None),
            Kind::Translate => unreachable!("an eager translation has no stubs"),
            Kind::InvalidBranch => self.stop(exit::INVALID_JUMP, index, Some(op.target)),
            _ => match kind.instruction() {
                Some((opcode, is_64_bit)) => self.instruction(index, opcode, is_64_bit, op),
                None => unreachable!("every kind but the translator's own executes an instruction"),
            },
        }
    }

    fn instruction(&mut self, index: u32, opcode: Opcode, is_64_bit: bool, op: &Op) {
        use Opcode as O;
        let d = HOST_REG[usize::from(op.d)];
        let a = HOST_REG[usize::from(op.a)];
        let b = HOST_REG[usize::from(op.b)];
        let imm = op.imm as i32;
        match opcode {
            O::Trap => self.stop(exit::TRAP, index, None),
            O::Ecalli => self.stop(exit::ECALLI, index, Some(op.imm as u32)),
            O::Memset => self.stop(exit::MEMSET, index, None),
            O::Sbrk => self.stop(exit::SBRK, index, None),
            O::Jump => {
                let target = self.target(op);
                asm!(self ; jmp =>target);
            }
            O::LoadImmAndJump => {
                let target = self.target(op);
                asm!(self ; mov Rq(d), imm ; jmp =>target);
            }
            O::JumpIndirect => self.jump_indirect(index, b, imm, None),
            O::LoadImmAndJumpIndirect => self.jump_indirect(index, b, op.target as i32, Some((d, imm))),

            O::BranchEq | O::BranchNotEq | O::BranchLessUnsigned | O::BranchLessSigned => {
                self.branch(opcode, a, Operand::Reg(b), self.target(op))
            }
            O::BranchGreaterOrEqualUnsigned | O::BranchGreaterOrEqualSigned => {
                self.branch(opcode, a, Operand::Reg(b), self.target(op))
            }
            O::BranchEqImm
            | O::BranchNotEqImm
            | O::BranchLessUnsignedImm
            | O::BranchLessOrEqualUnsignedImm
            | O::BranchGreaterOrEqualUnsignedImm
            | O::BranchGreaterUnsignedImm
            | O::BranchLessSignedImm
            | O::BranchLessOrEqualSignedImm
            | O::BranchGreaterOrEqualSignedImm
            | O::BranchGreaterSignedImm => self.branch(opcode, a, Operand::Imm(imm), self.target(op)),

            O::LoadU8 | O::LoadI8 | O::LoadU16 | O::LoadI16 | O::LoadU32 | O::LoadI32 | O::LoadU64 => {
                self.load(opcode, d, Address::Absolute(imm as u32))
            }
            O::LoadIndirectU8
            | O::LoadIndirectI8
            | O::LoadIndirectU16
            | O::LoadIndirectI16
            | O::LoadIndirectU32
            | O::LoadIndirectI32
            | O::LoadIndirectU64 => self.load(opcode, d, Address::Indirect { base: a, offset: imm }),
            O::StoreU8 | O::StoreU16 | O::StoreU32 | O::StoreU64 => {
                self.store(opcode, Operand::Reg(a), Address::Absolute(imm as u32))
            }
            O::StoreIndirectU8 | O::StoreIndirectU16 | O::StoreIndirectU32 | O::StoreIndirectU64 => {
                self.store(opcode, Operand::Reg(a), Address::Indirect { base: b, offset: imm })
            }
            O::StoreImmU8 | O::StoreImmU16 | O::StoreImmU32 | O::StoreImmU64 => {
                self.store(opcode, Operand::Imm(imm), Address::Absolute(op.target))
            }
            O::StoreImmIndirectU8 | O::StoreImmIndirectU16 | O::StoreImmIndirectU32 | O::StoreImmIndirectU64 => {
                self.store(opcode, Operand::Imm(imm), Address::Indirect { base: b, offset: op.target as i32 })
            }
            _ => self.compute(opcode, is_64_bit, d, a, b, op.imm),
        }
    }

    /// The label of a jump's or branch's target operation (in range by construction,
    /// see `Compiled::check_invariants`).
    fn target(&self, op: &Op) -> DynamicLabel {
        self.labels[op.target as usize]
    }

    /// A dynamic jump to `base + offset` (32-bit), through the jump table; with
    /// `load`, first loads an immediate into a register (after reading `base`).
    fn jump_indirect(&mut self, index: u32, base: u8, offset: i32, load: Option<(u8, i32)>) {
        let (out_of_table, max_address, jump_table) = (self.out_of_table, self.max_address, self.jump_table);
        asm!(self
            ; lea eax, [Rq(base) + offset]
            ; mov DWORD [r15 + EXIT_OP], index as i32
            ; mov DWORD [r15 + EXIT_ARG], eax
        );
        if let Some((register, value)) = load {
            asm!(self ; mov Rq(register), value);
        }
        // Addresses up to `max_address` index the table (invalid ones lead to the
        // invalid-jump exit); beyond it only the return-to-host address is valid.
        asm!(self
            ; cmp eax, max_address as i32
            ; ja =>out_of_table
            ; push rbx
            ; mov rbx, QWORD jump_table
            ; mov rax, [rbx + rax * 8]
            ; pop rbx
            ; jmp rax
        );
    }

    fn branch(&mut self, opcode: Opcode, a: u8, b: Operand, target: DynamicLabel) {
        use Opcode as O;
        match b {
            Operand::Reg(b) => asm!(self ; cmp Rq(a), Rq(b)),
            Operand::Imm(imm) => asm!(self ; cmp Rq(a), imm),
        }
        match opcode {
            O::BranchEq | O::BranchEqImm => asm!(self ; je =>target),
            O::BranchNotEq | O::BranchNotEqImm => asm!(self ; jne =>target),
            O::BranchLessUnsigned | O::BranchLessUnsignedImm => asm!(self ; jb =>target),
            O::BranchLessSigned | O::BranchLessSignedImm => asm!(self ; jl =>target),
            O::BranchGreaterOrEqualUnsigned | O::BranchGreaterOrEqualUnsignedImm => asm!(self ; jae =>target),
            O::BranchGreaterOrEqualSigned | O::BranchGreaterOrEqualSignedImm => asm!(self ; jge =>target),
            O::BranchLessOrEqualUnsignedImm => asm!(self ; jbe =>target),
            O::BranchLessOrEqualSignedImm => asm!(self ; jle =>target),
            O::BranchGreaterUnsignedImm => asm!(self ; ja =>target),
            O::BranchGreaterSignedImm => asm!(self ; jg =>target),
            _ => unreachable!("{opcode:?} is not a conditional branch"),
        }
    }

    /// Loads from a guest address into `d`. A fault leaves `d` unchanged.
    fn load(&mut self, opcode: Opcode, d: u8, address: Address) {
        use Opcode as O;
        let (base, offset) = self.guest_address(address);
        match opcode {
            O::LoadU8 | O::LoadIndirectU8 => asm!(self ; movzx Rd(d), BYTE [Rq(base) + offset]),
            O::LoadI8 | O::LoadIndirectI8 => asm!(self ; movsx Rq(d), BYTE [Rq(base) + offset]),
            O::LoadU16 | O::LoadIndirectU16 => asm!(self ; movzx Rd(d), WORD [Rq(base) + offset]),
            O::LoadI16 | O::LoadIndirectI16 => asm!(self ; movsx Rq(d), WORD [Rq(base) + offset]),
            O::LoadU32 | O::LoadIndirectU32 => asm!(self ; mov Rd(d), DWORD [Rq(base) + offset]),
            O::LoadI32 | O::LoadIndirectI32 => asm!(self ; movsxd Rq(d), DWORD [Rq(base) + offset]),
            O::LoadU64 | O::LoadIndirectU64 => asm!(self ; mov Rq(d), QWORD [Rq(base) + offset]),
            _ => unreachable!("{opcode:?} is not a load"),
        }
    }

    /// Stores a register's low bytes or an immediate (sign-extended) at a guest address.
    /// x86 stores are all-or-nothing: a fault writes nothing.
    fn store(&mut self, opcode: Opcode, value: Operand, address: Address) {
        use Opcode as O;
        let width = match opcode {
            O::StoreU8 | O::StoreIndirectU8 | O::StoreImmU8 | O::StoreImmIndirectU8 => 1,
            O::StoreU16 | O::StoreIndirectU16 | O::StoreImmU16 | O::StoreImmIndirectU16 => 2,
            O::StoreU32 | O::StoreIndirectU32 | O::StoreImmU32 | O::StoreImmIndirectU32 => 4,
            _ => 8,
        };
        let (base, offset) = self.guest_address(address);
        match (value, width) {
            (Operand::Reg(r), 1) => asm!(self ; mov BYTE [Rq(base) + offset], Rb(r)),
            (Operand::Reg(r), 2) => asm!(self ; mov WORD [Rq(base) + offset], Rw(r)),
            (Operand::Reg(r), 4) => asm!(self ; mov DWORD [Rq(base) + offset], Rd(r)),
            (Operand::Reg(r), _) => asm!(self ; mov QWORD [Rq(base) + offset], Rq(r)),
            (Operand::Imm(imm), 1) => asm!(self ; mov BYTE [Rq(base) + offset], imm as i8),
            (Operand::Imm(imm), 2) => asm!(self ; mov WORD [Rq(base) + offset], imm as i16),
            (Operand::Imm(imm), 4) => asm!(self ; mov DWORD [Rq(base) + offset], imm),
            (Operand::Imm(imm), _) => asm!(self ; mov QWORD [Rq(base) + offset], imm),
        }
    }

    /// Instructions that compute `d` from `a` and `b` or the immediate (see
    /// [`crate::semantics::alu`] for which operand is which); `_32` forms compute in
    /// 32 bits and sign-extend.
    fn compute(&mut self, opcode: Opcode, is_64_bit: bool, d: u8, a: u8, b: u8, imm64: u64) {
        use Opcode as O;
        let imm = imm64 as i32;
        match opcode {
            O::LoadImm => asm!(self ; mov Rq(d), imm),
            O::LoadImm64 => asm!(self ; mov Rq(d), QWORD imm64 as i64),
            O::MoveReg => asm!(self ; mov Rq(d), Rq(a)),

            O::CountSetBits64 => asm!(self ; popcnt Rq(d), Rq(a)),
            O::CountSetBits32 => asm!(self ; popcnt Rd(d), Rd(a)),
            O::CountLeadingZeroBits64 => asm!(self ; lzcnt Rq(d), Rq(a)),
            O::CountLeadingZeroBits32 => asm!(self ; lzcnt Rd(d), Rd(a)),
            O::CountTrailingZeroBits64 => asm!(self ; tzcnt Rq(d), Rq(a)),
            O::CountTrailingZeroBits32 => asm!(self ; tzcnt Rd(d), Rd(a)),
            O::SignExtend8 => asm!(self ; movsx Rq(d), Rb(a)),
            O::SignExtend16 => asm!(self ; movsx Rq(d), Rw(a)),
            O::ZeroExtend16 => asm!(self ; movzx Rd(d), Rw(a)),
            O::ReverseByte if is_64_bit => asm!(self ; mov rax, Rq(a) ; bswap rax ; mov Rq(d), rax),
            O::ReverseByte => asm!(self ; mov eax, Rd(a) ; bswap eax ; movsxd Rq(d), eax),

            O::Add64 => asm!(self ; lea Rq(d), [Rq(a) + Rq(b)]),
            O::AddImm64 => asm!(self ; lea Rq(d), [Rq(a) + imm]),
            O::Add32 => asm!(self ; lea eax, [Rq(a) + Rq(b)] ; movsxd Rq(d), eax),
            O::AddImm32 => asm!(self ; lea eax, [Rq(a) + imm] ; movsxd Rq(d), eax),
            O::Sub64 => self.two_operand(Alu::Sub, true, d, a, Operand::Reg(b)),
            O::Sub32 => self.two_operand(Alu::Sub, false, d, a, Operand::Reg(b)),
            O::NegateAndAddImm64 => asm!(self ; mov rax, imm ; sub rax, Rq(a) ; mov Rq(d), rax),
            O::NegateAndAddImm32 => asm!(self ; mov eax, imm ; sub eax, Rd(a) ; movsxd Rq(d), eax),
            O::Mul64 => self.two_operand(Alu::Mul, true, d, a, Operand::Reg(b)),
            O::Mul32 => self.two_operand(Alu::Mul, false, d, a, Operand::Reg(b)),
            O::MulImm64 => asm!(self ; imul Rq(d), Rq(a), imm),
            O::MulImm32 => asm!(self ; imul eax, Rd(a), imm ; movsxd Rq(d), eax),
            O::MulUpperSignedSigned | O::MulUpperUnsignedUnsigned | O::MulUpperSignedUnsigned => {
                self.multiply_upper(opcode, is_64_bit, d, a, b)
            }
            O::DivUnsigned64 | O::DivSigned64 | O::RemUnsigned64 | O::RemSigned64 => self.divide(opcode, true, d, a, b),
            O::DivUnsigned32 | O::DivSigned32 | O::RemUnsigned32 | O::RemSigned32 => {
                self.divide(opcode, false, d, a, b)
            }

            O::And => self.two_operand(Alu::And, true, d, a, Operand::Reg(b)),
            O::Xor => self.two_operand(Alu::Xor, true, d, a, Operand::Reg(b)),
            O::Or => self.two_operand(Alu::Or, true, d, a, Operand::Reg(b)),
            O::AndImm => self.two_operand(Alu::And, true, d, a, Operand::Imm(imm)),
            O::XorImm => self.two_operand(Alu::Xor, true, d, a, Operand::Imm(imm)),
            O::OrImm => self.two_operand(Alu::Or, true, d, a, Operand::Imm(imm)),
            O::AndInverted => asm!(self ; mov rax, Rq(b) ; not rax ; and rax, Rq(a) ; mov Rq(d), rax),
            O::OrInverted => asm!(self ; mov rax, Rq(b) ; not rax ; or rax, Rq(a) ; mov Rq(d), rax),
            O::Xnor => asm!(self ; mov rax, Rq(a) ; xor rax, Rq(b) ; not rax ; mov Rq(d), rax),

            O::SetLessThanUnsigned => asm!(self ; xor eax, eax ; cmp Rq(a), Rq(b) ; setb al ; mov Rq(d), rax),
            O::SetLessThanSigned => asm!(self ; xor eax, eax ; cmp Rq(a), Rq(b) ; setl al ; mov Rq(d), rax),
            O::SetLessThanUnsignedImm => asm!(self ; xor eax, eax ; cmp Rq(a), imm ; setb al ; mov Rq(d), rax),
            O::SetLessThanSignedImm => asm!(self ; xor eax, eax ; cmp Rq(a), imm ; setl al ; mov Rq(d), rax),
            O::SetGreaterThanUnsignedImm => asm!(self ; xor eax, eax ; cmp Rq(a), imm ; seta al ; mov Rq(d), rax),
            O::SetGreaterThanSignedImm => asm!(self ; xor eax, eax ; cmp Rq(a), imm ; setg al ; mov Rq(d), rax),
            O::Maximum => asm!(self ; mov rax, Rq(a) ; cmp rax, Rq(b) ; cmovl rax, Rq(b) ; mov Rq(d), rax),
            O::MaximumUnsigned => asm!(self ; mov rax, Rq(a) ; cmp rax, Rq(b) ; cmovb rax, Rq(b) ; mov Rq(d), rax),
            O::Minimum => asm!(self ; mov rax, Rq(a) ; cmp rax, Rq(b) ; cmovg rax, Rq(b) ; mov Rq(d), rax),
            O::MinimumUnsigned => asm!(self ; mov rax, Rq(a) ; cmp rax, Rq(b) ; cmova rax, Rq(b) ; mov Rq(d), rax),
            O::CmovIfZero => asm!(self ; test Rq(b), Rq(b) ; cmovz Rq(d), Rq(a)),
            O::CmovIfNotZero => asm!(self ; test Rq(b), Rq(b) ; cmovnz Rq(d), Rq(a)),
            O::CmovIfZeroImm => asm!(self ; mov rax, imm ; test Rq(a), Rq(a) ; cmovz Rq(d), rax),
            O::CmovIfNotZeroImm => asm!(self ; mov rax, imm ; test Rq(a), Rq(a) ; cmovnz Rq(d), rax),

            // Shift amounts are taken modulo the width, as x86 does.
            O::ShiftLogicalLeft64 => asm!(self ; shlx Rq(d), Rq(a), Rq(b)),
            O::ShiftLogicalRight64 => asm!(self ; shrx Rq(d), Rq(a), Rq(b)),
            O::ShiftArithmeticRight64 => asm!(self ; sarx Rq(d), Rq(a), Rq(b)),
            O::ShiftLogicalLeft32 => asm!(self ; shlx eax, Rd(a), Rd(b) ; movsxd Rq(d), eax),
            O::ShiftLogicalRight32 => asm!(self ; shrx eax, Rd(a), Rd(b) ; movsxd Rq(d), eax),
            O::ShiftArithmeticRight32 => asm!(self ; sarx eax, Rd(a), Rd(b) ; movsxd Rq(d), eax),
            O::ShiftLogicalLeftImm64 => self.two_operand(Alu::Shl, true, d, a, Operand::Imm(imm & 63)),
            O::ShiftLogicalRightImm64 => self.two_operand(Alu::Shr, true, d, a, Operand::Imm(imm & 63)),
            O::ShiftArithmeticRightImm64 => self.two_operand(Alu::Sar, true, d, a, Operand::Imm(imm & 63)),
            O::ShiftLogicalLeftImm32 => self.two_operand(Alu::Shl, false, d, a, Operand::Imm(imm & 31)),
            O::ShiftLogicalRightImm32 => self.two_operand(Alu::Shr, false, d, a, Operand::Imm(imm & 31)),
            O::ShiftArithmeticRightImm32 => self.two_operand(Alu::Sar, false, d, a, Operand::Imm(imm & 31)),
            O::ShiftLogicalLeftImmAlt64 => asm!(self ; mov rax, imm ; shlx Rq(d), rax, Rq(a)),
            O::ShiftLogicalRightImmAlt64 => asm!(self ; mov rax, imm ; shrx Rq(d), rax, Rq(a)),
            O::ShiftArithmeticRightImmAlt64 => asm!(self ; mov rax, imm ; sarx Rq(d), rax, Rq(a)),
            O::ShiftLogicalLeftImmAlt32 => asm!(self ; mov eax, imm ; shlx eax, eax, Rd(a) ; movsxd Rq(d), eax),
            O::ShiftLogicalRightImmAlt32 => asm!(self ; mov eax, imm ; shrx eax, eax, Rd(a) ; movsxd Rq(d), eax),
            O::ShiftArithmeticRightImmAlt32 => asm!(self ; mov eax, imm ; sarx eax, eax, Rd(a) ; movsxd Rq(d), eax),
            O::RotateRightImm64 => asm!(self ; mov rax, Rq(a) ; ror rax, (imm & 63) as i8 ; mov Rq(d), rax),
            O::RotateRightImm32 => asm!(self ; mov eax, Rd(a) ; ror eax, (imm & 31) as i8 ; movsxd Rq(d), eax),
            O::RotateLeft64 | O::RotateRight64 | O::RotateLeft32 | O::RotateRight32 => {
                self.rotate(opcode, d, Operand::Reg(a), b)
            }
            O::RotateRightImmAlt64 | O::RotateRightImmAlt32 => self.rotate(opcode, d, Operand::Imm(imm), a),
            _ => unreachable!("{opcode:?} does not compute a register from its operands"),
        }
    }

    /// `d = a op b` with x86's two-operand form: in place when `d` is `a` (or `b`, for
    /// commutative operations), else through a copy of `a` in `d` (or, when `d` is `b`,
    /// in `rax`). The 32-bit forms compute in 32 bits and sign-extend the result.
    fn two_operand(&mut self, alu: Alu, wide: bool, d: u8, a: u8, b: Operand) {
        let commutative = matches!(alu, Alu::Mul | Alu::And | Alu::Or | Alu::Xor);
        // Where the result is computed, from what, and whether `a` is copied there first.
        let (target, source, copy) = match b {
            _ if d == a => (d, b, false),
            Operand::Reg(b) if d == b && commutative => (d, Operand::Reg(a), false),
            Operand::Reg(b) if d == b => (RAX, Operand::Reg(b), true),
            _ => (d, b, true),
        };
        if copy {
            if wide {
                asm!(self ; mov Rq(target), Rq(a));
            } else {
                asm!(self ; mov Rd(target), Rd(a));
            }
        }
        match (wide, source) {
            (true, Operand::Reg(r)) => match alu {
                Alu::Sub => asm!(self ; sub Rq(target), Rq(r)),
                Alu::Mul => asm!(self ; imul Rq(target), Rq(r)),
                Alu::And => asm!(self ; and Rq(target), Rq(r)),
                Alu::Or => asm!(self ; or Rq(target), Rq(r)),
                Alu::Xor => asm!(self ; xor Rq(target), Rq(r)),
                Alu::Shl | Alu::Shr | Alu::Sar => unreachable!("register shifts use shlx, shrx and sarx"),
            },
            (false, Operand::Reg(r)) => match alu {
                Alu::Sub => asm!(self ; sub Rd(target), Rd(r)),
                Alu::Mul => asm!(self ; imul Rd(target), Rd(r)),
                Alu::And => asm!(self ; and Rd(target), Rd(r)),
                Alu::Or => asm!(self ; or Rd(target), Rd(r)),
                Alu::Xor => asm!(self ; xor Rd(target), Rd(r)),
                Alu::Shl | Alu::Shr | Alu::Sar => unreachable!("register shifts use shlx, shrx and sarx"),
            },
            (true, Operand::Imm(imm)) => match alu {
                Alu::Sub => asm!(self ; sub Rq(target), imm),
                Alu::Mul => asm!(self ; imul Rq(target), Rq(target), imm),
                Alu::And => asm!(self ; and Rq(target), imm),
                Alu::Or => asm!(self ; or Rq(target), imm),
                Alu::Xor => asm!(self ; xor Rq(target), imm),
                Alu::Shl => asm!(self ; shl Rq(target), imm as i8),
                Alu::Shr => asm!(self ; shr Rq(target), imm as i8),
                Alu::Sar => asm!(self ; sar Rq(target), imm as i8),
            },
            (false, Operand::Imm(imm)) => match alu {
                Alu::Sub => asm!(self ; sub Rd(target), imm),
                Alu::Mul => asm!(self ; imul Rd(target), Rd(target), imm),
                Alu::And => asm!(self ; and Rd(target), imm),
                Alu::Or => asm!(self ; or Rd(target), imm),
                Alu::Xor => asm!(self ; xor Rd(target), imm),
                Alu::Shl => asm!(self ; shl Rd(target), imm as i8),
                Alu::Shr => asm!(self ; shr Rd(target), imm as i8),
                Alu::Sar => asm!(self ; sar Rd(target), imm as i8),
            },
        }
        match (wide, target == d) {
            (true, true) => {}
            (true, false) => asm!(self ; mov Rq(d), Rq(target)),
            (false, _) => asm!(self ; movsxd Rq(d), Rd(target)),
        }
    }

    /// A rotation by a register amount, which x86 takes in `cl`: `rcx` (guest `a4`) is
    /// saved on the stack around it.
    fn rotate(&mut self, opcode: Opcode, d: u8, value: Operand, amount: u8) {
        use Opcode as O;
        let wide = matches!(opcode, O::RotateLeft64 | O::RotateRight64 | O::RotateRightImmAlt64);
        match (value, wide) {
            (Operand::Reg(value), true) => asm!(self ; mov rax, Rq(value)),
            (Operand::Reg(value), false) => asm!(self ; mov eax, Rd(value)),
            (Operand::Imm(value), _) => asm!(self ; mov rax, value),
        }
        asm!(self ; push rcx ; mov ecx, Rd(amount));
        match opcode {
            O::RotateLeft64 => asm!(self ; rol rax, cl),
            O::RotateRight64 | O::RotateRightImmAlt64 => asm!(self ; ror rax, cl),
            O::RotateLeft32 => asm!(self ; rol eax, cl),
            _ => asm!(self ; ror eax, cl),
        }
        asm!(self ; pop rcx);
        if wide {
            asm!(self ; mov Rq(d), rax);
        } else {
            asm!(self ; movsxd Rq(d), eax);
        }
    }

    /// The upper half of a product. The 64-bit forms use the one-operand `mul`/`imul`,
    /// which write `rdx` (guest `a5`), saved on the stack around them; signed times
    /// unsigned is the unsigned product's upper half minus `b` if `a` is negative. The
    /// 32-bit forms multiply the extended operands in 64 bits.
    fn multiply_upper(&mut self, opcode: Opcode, is_64_bit: bool, d: u8, a: u8, b: u8) {
        use Opcode as O;
        if is_64_bit {
            if opcode == O::MulUpperSignedUnsigned {
                asm!(self ; mov rax, Rq(a) ; sar rax, 63 ; and rax, Rq(b) ; mov [r15 + SCRATCH], rax);
            }
            asm!(self ; push rdx ; mov rax, Rq(a));
            match opcode {
                O::MulUpperSignedSigned => asm!(self ; imul Rq(b)),
                _ => asm!(self ; mul Rq(b)),
            }
            asm!(self ; mov rax, rdx ; pop rdx);
            if opcode == O::MulUpperSignedUnsigned {
                asm!(self ; sub rax, [r15 + SCRATCH]);
            }
            asm!(self ; mov Rq(d), rax);
        } else {
            match opcode {
                O::MulUpperSignedSigned => {
                    asm!(self ; movsxd rax, Rd(b) ; mov [r15 + SCRATCH], rax ; movsxd rax, Rd(a))
                }
                O::MulUpperUnsignedUnsigned => asm!(self ; mov eax, Rd(b) ; mov [r15 + SCRATCH], rax ; mov eax, Rd(a)),
                _ => asm!(self ; mov eax, Rd(b) ; mov [r15 + SCRATCH], rax ; movsxd rax, Rd(a)),
            }
            asm!(self ; imul rax, [r15 + SCRATCH]);
            match opcode {
                O::MulUpperUnsignedUnsigned => asm!(self ; shr rax, 32),
                _ => asm!(self ; sar rax, 32),
            }
            asm!(self ; movsxd Rq(d), eax);
        }
    }

    /// Division and remainder, with the RISC-V results for a zero divisor and for
    /// dividing by -1 (where `MIN / -1` would fault on x86). The divisor goes to the
    /// context's scratch slot and `rdx` (guest `a5`) is saved on the stack, so any
    /// guest register may be an operand.
    fn divide(&mut self, opcode: Opcode, wide: bool, d: u8, a: u8, b: u8) {
        use Opcode as O;
        let signed = matches!(opcode, O::DivSigned64 | O::DivSigned32 | O::RemSigned64 | O::RemSigned32);
        let remainder = matches!(opcode, O::RemUnsigned64 | O::RemSigned64 | O::RemUnsigned32 | O::RemSigned32);
        let zero = self.asm.new_dynamic_label();
        let minus_one = self.asm.new_dynamic_label();
        let done = self.asm.new_dynamic_label();
        if wide {
            asm!(self ; test Rq(b), Rq(b) ; jz =>zero);
            if signed {
                asm!(self ; cmp Rq(b), -1 ; je =>minus_one);
            }
            asm!(self ; mov [r15 + SCRATCH], Rq(b) ; push rdx ; mov rax, Rq(a));
            if signed {
                asm!(self ; cqo ; idiv QWORD [r15 + SCRATCH]);
            } else {
                asm!(self ; xor edx, edx ; div QWORD [r15 + SCRATCH]);
            }
            if remainder {
                asm!(self ; mov rax, rdx);
            }
            asm!(self ; pop rdx ; mov Rq(d), rax ; jmp =>done ; =>zero);
            if remainder {
                asm!(self ; mov Rq(d), Rq(a));
            } else {
                asm!(self ; mov Rq(d), -1);
            }
            asm!(self ; jmp =>done ; =>minus_one);
            if remainder {
                asm!(self ; xor Rd(d), Rd(d));
            } else {
                asm!(self ; mov rax, Rq(a) ; neg rax ; mov Rq(d), rax);
            }
        } else {
            asm!(self ; test Rd(b), Rd(b) ; jz =>zero);
            if signed {
                asm!(self ; cmp Rd(b), -1 ; je =>minus_one);
            }
            asm!(self ; mov [r15 + SCRATCH], Rd(b) ; push rdx ; mov eax, Rd(a));
            if signed {
                asm!(self ; cdq ; idiv DWORD [r15 + SCRATCH]);
            } else {
                asm!(self ; xor edx, edx ; div DWORD [r15 + SCRATCH]);
            }
            if remainder {
                asm!(self ; mov eax, edx);
            }
            asm!(self ; pop rdx ; movsxd Rq(d), eax ; jmp =>done ; =>zero);
            if remainder {
                asm!(self ; movsxd Rq(d), Rd(a));
            } else {
                asm!(self ; mov Rq(d), -1);
            }
            asm!(self ; jmp =>done ; =>minus_one);
            if remainder {
                asm!(self ; xor Rd(d), Rd(d));
            } else {
                asm!(self ; mov eax, Rd(a) ; neg eax ; movsxd Rq(d), eax);
            }
        }
        asm!(self ; =>done);
    }
}

/// The x86 two-operand operations [`Emitter::two_operand`] emits.
#[derive(Copy, Clone)]
enum Alu {
    Sub,
    Mul,
    And,
    Or,
    Xor,
    Shl,
    Shr,
    Sar,
}

/// `rax`, the scratch register.
const RAX: u8 = 0;

/// Where a load or store goes: an absolute guest address, or a register plus an offset
/// (added at 32 bits).
#[derive(Copy, Clone)]
enum Address {
    Absolute(u32),
    Indirect { base: u8, offset: i32 },
}

/// A register or an immediate operand.
#[derive(Copy, Clone)]
enum Operand {
    Reg(u8),
    Imm(i32),
}
