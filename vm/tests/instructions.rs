//! Edge cases of every instruction family, with expected values worked out from the
//! instruction semantics (RISC-V conventions): overflow, division by zero, shifts by
//! the register width or more, sign extension, unaligned and boundary memory
//! accesses, invalid jumps, jump-table edge cases, gas at block granularity.

mod common;
use common::engine;

use pvm::program::{Args, BlobBuilder};
use pvm::{InstructionSet, Interrupt, Module, ModuleConfig, Opcode, RawInstance, Reg, TrapReason};

const RW: u32 = 0x30000; // RW data address for a program with <= 64 KiB of RO data
const RO: u32 = 0x10000;

fn regs(list: [Reg; 3]) -> [u8; 3] {
    list.map(|r| r as u8)
}

/// A program of `instructions` followed by a `trap`, with 16 bytes of RO data,
/// one page of RW data and a stack.
fn program(isa: InstructionSet, instructions: &[(Opcode, Args)]) -> Module {
    let mut builder = BlobBuilder::new(isa);
    builder
        .ro_data(&[0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00], 16);
    builder.rw_data(&[1, 2, 3, 4, 5, 6, 7, 8], 0x1000);
    builder.stack_size(0x1000);
    builder.export_here("main");
    for &(opcode, args) in instructions {
        builder.push(opcode, args);
    }
    builder.push(Opcode::Trap, Args::default());
    Module::new(&engine(), &ModuleConfig::default(), &builder.build()).unwrap()
}

fn start(module: &Module, setup: &[(Reg, u64)]) -> RawInstance {
    let mut instance = module.instantiate();
    instance.prepare_call(0, &[]).unwrap();
    for &(reg, value) in setup {
        instance.set_reg(reg, value);
    }
    instance.set_gas(1_000);
    instance
}

/// Runs one instruction on `isa` and returns the instance after the final trap
/// (or the interrupt, if it stopped otherwise).
fn run_one(isa: InstructionSet, opcode: Opcode, args: Args, setup: &[(Reg, u64)]) -> (Interrupt, RawInstance) {
    let module = program(isa, &[(opcode, args)]);
    let mut instance = start(&module, setup);
    let interrupt = instance.run();
    (interrupt, instance)
}

/// `d = op(a, b)` for a three-register instruction.
fn alu3(isa: InstructionSet, opcode: Opcode, a: u64, b: u64) -> u64 {
    let args = Args { regs: regs([Reg::A2, Reg::A0, Reg::A1]), ..Args::default() };
    let (interrupt, instance) = run_one(isa, opcode, args, &[(Reg::A0, a), (Reg::A1, b)]);
    assert_eq!(interrupt, Interrupt::Trap, "{opcode}");
    assert_eq!(instance.trap_reason(), Some(TrapReason::Explicit));
    instance.reg(Reg::A2)
}

/// `d = op(a, imm)` for a register-register-immediate instruction.
fn alu_imm(isa: InstructionSet, opcode: Opcode, a: u64, imm: u32) -> u64 {
    let args = Args { regs: regs([Reg::A2, Reg::A0, Reg::A0]), imm1: imm, ..Args::default() };
    let (_, instance) = run_one(isa, opcode, args, &[(Reg::A0, a)]);
    instance.reg(Reg::A2)
}

/// `d = op(a)` for a two-register instruction.
fn alu2(isa: InstructionSet, opcode: Opcode, a: u64) -> u64 {
    let args = Args { regs: regs([Reg::A2, Reg::A0, Reg::A0]), ..Args::default() };
    let (_, instance) = run_one(isa, opcode, args, &[(Reg::A0, a)]);
    instance.reg(Reg::A2)
}

const R64: InstructionSet = InstructionSet::ReviveV1;
const R32: InstructionSet = InstructionSet::Latest32;
const MIN32: u64 = 0xffff_ffff_8000_0000; // i32::MIN sign-extended

backend_test! {
    fn arithmetic_wraps_and_32_bit_results_are_sign_extended() {
        use Opcode::*;
        assert_eq!(alu3(R64, Add32, 0x7fff_ffff, 1), MIN32);
        assert_eq!(alu3(R64, Add32, 0xffff_ffff_0000_0001, 1), 2, "upper bits of inputs are ignored");
        assert_eq!(alu3(R64, Add64, u64::MAX, 1), 0);
        assert_eq!(alu3(R64, Sub32, 0, 1), u64::MAX);
        assert_eq!(alu3(R64, Sub64, 0, 1), u64::MAX);
        assert_eq!(alu3(R64, Mul32, 0x1_0000, 0x1_0000), 0);
        assert_eq!(alu3(R64, Mul32, 0xffff, 0x1_0001), 0xffff_ffff_ffff_ffff);
        assert_eq!(alu3(R64, Mul64, 1 << 63, 2), 0);
        assert_eq!(alu_imm(R64, AddImm32, 0x7fff_ffff, 1), MIN32);
        assert_eq!(alu_imm(R64, AddImm64, 5, (-6i32) as u32), u64::MAX);
        assert_eq!(alu_imm(R64, MulImm32, 3, (-1i32) as u32), (-3i64) as u64);
        assert_eq!(alu_imm(R64, MulImm64, 1 << 40, 2), 1 << 41);
        assert_eq!(alu_imm(R64, NegateAndAddImm32, 1, 0), u64::MAX, "d = imm - s");
        assert_eq!(alu_imm(R64, NegateAndAddImm64, 10, 3), (-7i64) as u64);
    }
}

backend_test! {
    fn high_multiplication() {
        use Opcode::*;
        assert_eq!(alu3(R64, MulUpperSignedSigned, u64::MAX, u64::MAX), 0);
        assert_eq!(alu3(R64, MulUpperSignedSigned, 1 << 63, 1 << 63), 1 << 62);
        assert_eq!(alu3(R64, MulUpperUnsignedUnsigned, u64::MAX, u64::MAX), u64::MAX - 1);
        assert_eq!(alu3(R64, MulUpperSignedUnsigned, u64::MAX, u64::MAX), u64::MAX, "-1 * (2^64 - 1)");
        assert_eq!(alu3(R64, MulUpperSignedUnsigned, 2, u64::MAX), 1);
        // 32-bit instruction set: high half of the 64-bit product of 32-bit values.
        assert_eq!(alu3(R32, MulUpperSignedSigned, 0xffff_ffff, 0xffff_ffff), 0);
        assert_eq!(alu3(R32, MulUpperUnsignedUnsigned, 0xffff_ffff, 0xffff_ffff), 0xffff_fffe);
        assert_eq!(alu3(R32, MulUpperSignedUnsigned, 0xffff_ffff, 0xffff_ffff), 0xffff_ffff);
    }
}

backend_test! {
    fn division_never_traps() {
        use Opcode::*;
        assert_eq!(alu3(R64, DivUnsigned32, 7, 0), u64::MAX);
        assert_eq!(alu3(R64, DivSigned32, 7, 0), u64::MAX);
        assert_eq!(alu3(R64, RemUnsigned32, 7, 0), 7);
        assert_eq!(alu3(R64, RemSigned32, (-7i64) as u64, 0), (-7i64) as u64);
        assert_eq!(alu3(R64, DivSigned32, MIN32, u64::MAX), MIN32, "MIN / -1 = MIN");
        assert_eq!(alu3(R64, RemSigned32, MIN32, u64::MAX), 0, "MIN % -1 = 0");
        assert_eq!(alu3(R64, DivSigned32, (-7i64) as u64, 2), (-3i64) as u64, "rounds toward zero");
        assert_eq!(alu3(R64, RemSigned32, (-7i64) as u64, 2), u64::MAX);
        assert_eq!(alu3(R64, DivUnsigned64, 7, 0), u64::MAX);
        assert_eq!(alu3(R64, DivSigned64, 7, 0), u64::MAX);
        assert_eq!(alu3(R64, RemUnsigned64, 7, 0), 7);
        assert_eq!(alu3(R64, RemSigned64, 7, 0), 7);
        assert_eq!(alu3(R64, DivSigned64, 1 << 63, u64::MAX), 1 << 63);
        assert_eq!(alu3(R64, RemSigned64, 1 << 63, u64::MAX), 0);
        assert_eq!(alu3(R64, DivUnsigned64, u64::MAX, 2), u64::MAX / 2);
    }
}

backend_test! {
    fn shift_amounts_are_masked_to_the_width() {
        use Opcode::*;
        assert_eq!(alu3(R64, ShiftLogicalLeft32, 1, 33), 2);
        assert_eq!(alu3(R64, ShiftLogicalLeft32, 1, 31), MIN32);
        assert_eq!(alu3(R64, ShiftLogicalRight32, MIN32, 4), 0x0800_0000, "works on the low 32 bits");
        assert_eq!(alu3(R64, ShiftArithmeticRight32, MIN32, 31), u64::MAX);
        assert_eq!(alu3(R64, ShiftLogicalLeft64, 1, 65), 2);
        assert_eq!(alu3(R64, ShiftLogicalRight64, 1 << 63, 63), 1);
        assert_eq!(alu3(R64, ShiftArithmeticRight64, 1 << 63, 127), u64::MAX);
        assert_eq!(alu_imm(R64, ShiftLogicalLeftImm32, 3, 30), MIN32 | 0x4000_0000);
        assert_eq!(alu_imm(R64, ShiftArithmeticRightImm64, 1 << 63, 1), 0xc000_0000_0000_0000);
        // The `_alt` forms shift the immediate by the register.
        assert_eq!(alu_imm(R64, ShiftLogicalLeftImmAlt32, 4, 1), 16);
        assert_eq!(alu_imm(R64, ShiftLogicalRightImmAlt64, 4, (-1i32) as u32), u64::MAX >> 4);
        assert_eq!(alu_imm(R64, ShiftArithmeticRightImmAlt32, 36, (-16i32) as u32), u64::MAX, "36 & 31 = 4");
        assert_eq!(alu3(R64, RotateRight32, 1, 1), MIN32);
        assert_eq!(alu3(R64, RotateLeft32, MIN32, 1), 1);
        assert_eq!(alu3(R64, RotateRight64, 1, 65), 1 << 63);
        assert_eq!(alu3(R64, RotateLeft64, 1 << 63, 1), 1);
        assert_eq!(alu_imm(R64, RotateRightImm32, 2, 1), 1);
        assert_eq!(alu_imm(R64, RotateRightImmAlt64, 1, 1), 1 << 63);
    }
}

backend_test! {
    fn bit_manipulation() {
        use Opcode::*;
        assert_eq!(alu2(R64, CountLeadingZeroBits64, 0), 64);
        assert_eq!(alu2(R64, CountLeadingZeroBits32, 0), 32);
        assert_eq!(alu2(R64, CountLeadingZeroBits32, u64::MAX), 0);
        assert_eq!(alu2(R64, CountTrailingZeroBits64, 0), 64);
        assert_eq!(alu2(R64, CountTrailingZeroBits32, 1 << 40), 32, "only the low 32 bits count");
        assert_eq!(alu2(R64, CountSetBits64, u64::MAX), 64);
        assert_eq!(alu2(R64, CountSetBits32, u64::MAX), 32);
        assert_eq!(alu2(R64, SignExtend8, 0x80), 0xffff_ffff_ffff_ff80);
        assert_eq!(alu2(R64, SignExtend16, 0x1_7fff), 0x7fff);
        assert_eq!(alu2(R64, ZeroExtend16, u64::MAX), 0xffff);
        assert_eq!(alu2(R64, ReverseByte, 0x0102_0304_0506_0708), 0x0807_0605_0403_0201);
        assert_eq!(alu2(R32, ReverseByte, 0x0102_0304), 0x0403_0201);
        assert_eq!(alu3(R64, AndInverted, 0b1100, 0b1010), 0b0100);
        assert_eq!(alu3(R64, OrInverted, 0, u64::MAX - 1), 1);
        assert_eq!(alu3(R64, Xnor, 0, 0), u64::MAX);
        assert_eq!(alu_imm(R64, AndImm, u64::MAX, (-2i32) as u32), u64::MAX - 1, "immediates are sign-extended");
        assert_eq!(alu_imm(R64, OrImm, 0, 0x8000_0000), MIN32);
    }
}

backend_test! {
    fn comparisons_and_conditional_moves() {
        use Opcode::*;
        assert_eq!(alu3(R64, SetLessThanSigned, u64::MAX, 0), 1);
        assert_eq!(alu3(R64, SetLessThanUnsigned, u64::MAX, 0), 0);
        assert_eq!(alu_imm(R64, SetLessThanUnsignedImm, 5, (-1i32) as u32), 1, "imm is u64::MAX");
        assert_eq!(alu_imm(R64, SetGreaterThanSignedImm, 0, (-1i32) as u32), 1);
        assert_eq!(alu_imm(R64, SetGreaterThanUnsignedImm, 0, (-1i32) as u32), 0);
        assert_eq!(alu3(R64, Maximum, u64::MAX, 1), 1);
        assert_eq!(alu3(R64, MaximumUnsigned, u64::MAX, 1), u64::MAX);
        assert_eq!(alu3(R64, Minimum, u64::MAX, 1), u64::MAX);
        assert_eq!(alu3(R64, MinimumUnsigned, u64::MAX, 1), 1);
        // cmov_if_zero d, s, c: d = s if c == 0.
        let args = Args { regs: regs([Reg::A2, Reg::A0, Reg::A1]), ..Args::default() };
        let (_, i) = run_one(R64, CmovIfZero, args, &[(Reg::A0, 7), (Reg::A1, 0), (Reg::A2, 9)]);
        assert_eq!(i.reg(Reg::A2), 7);
        let (_, i) = run_one(R64, CmovIfZero, args, &[(Reg::A0, 7), (Reg::A1, 1), (Reg::A2, 9)]);
        assert_eq!(i.reg(Reg::A2), 9);
        let (_, i) = run_one(R64, CmovIfNotZero, args, &[(Reg::A0, 7), (Reg::A1, 1), (Reg::A2, 9)]);
        assert_eq!(i.reg(Reg::A2), 7);
        let args = Args { regs: regs([Reg::A2, Reg::A1, Reg::A1]), imm1: (-5i32) as u32, ..Args::default() };
        let (_, i) = run_one(R64, CmovIfZeroImm, args, &[(Reg::A1, 0)]);
        assert_eq!(i.reg(Reg::A2), (-5i64) as u64);
    }
}

backend_test! {
    fn immediates_load_sign_extended() {
        let args = Args { regs: regs([Reg::A0, Reg::A0, Reg::A0]), imm1: u32::MAX, ..Args::default() };
        let (_, i) = run_one(R64, Opcode::LoadImm, args, &[]);
        assert_eq!(i.reg(Reg::A0), u64::MAX);
        let args = Args { regs: regs([Reg::A0, Reg::A0, Reg::A0]), imm1: 0x89ab_cdef, imm2: 0x0123_4567 };
        let (_, i) = run_one(R64, Opcode::LoadImm64, args, &[]);
        assert_eq!(i.reg(Reg::A0), 0x0123_4567_89ab_cdef);
        // On 32-bit programs, registers hold 32 bits.
        let args = Args { regs: regs([Reg::A0, Reg::A0, Reg::A0]), imm1: u32::MAX, ..Args::default() };
        let (_, i) = run_one(R32, Opcode::LoadImm, args, &[]);
        assert_eq!(i.reg(Reg::A0), 0xffff_ffff);
    }
}

fn load(isa: InstructionSet, opcode: Opcode, address: u32) -> Result<u64, TrapReason> {
    let args = Args { regs: regs([Reg::A2, Reg::A0, Reg::A0]), imm1: 0, ..Args::default() };
    let (interrupt, i) = run_one(isa, opcode, args, &[(Reg::A0, u64::from(address))]);
    assert_eq!(interrupt, Interrupt::Trap);
    match i.trap_reason().unwrap() {
        TrapReason::Explicit => Ok(i.reg(Reg::A2)),
        reason => Err(reason),
    }
}

backend_test! {
    fn loads_are_unaligned_and_extend_correctly() {
        use Opcode::*;
        assert_eq!(load(R64, LoadIndirectU8, RO + 7), Ok(0x88));
        assert_eq!(load(R64, LoadIndirectI8, RO + 7), Ok(0xffff_ffff_ffff_ff88));
        assert_eq!(load(R64, LoadIndirectU16, RO + 1), Ok(0x3322), "unaligned");
        assert_eq!(load(R64, LoadIndirectI16, RO + 7), Ok(0xffff_ffff_ffff_9988));
        assert_eq!(load(R64, LoadIndirectU32, RO + 5), Ok(0x9988_7766));
        assert_eq!(load(R64, LoadIndirectI32, RO + 5), Ok(0xffff_ffff_9988_7766));
        assert_eq!(load(R64, LoadIndirectU64, RO + 1), Ok(0x9988_7766_5544_3322));
        assert_eq!(load(R64, LoadIndirectU64, RW), Ok(0x0807_0605_0403_0201));
        // The RO region is one page; its declared-but-uninitialised part reads as zero.
        assert_eq!(load(R64, LoadIndirectU64, RO + 0xff8), Ok(0));
    }
}

backend_test! {
    fn out_of_bounds_accesses_trap_with_the_address() {
        use Opcode::*;
        let fault = |address| Err(TrapReason::MemoryAccess(pvm::Fault { address, is_write: false }));
        assert_eq!(load(R64, LoadIndirectU8, 0), fault(0));
        assert_eq!(load(R64, LoadIndirectU16, RO + 0xfff), fault(RO + 0x1000), "straddles the end of RO");
        assert_eq!(load(R64, LoadIndirectU32, RW + 0xffe), fault(RW + 0x1000));
        assert_eq!(load(R64, LoadIndirectU8, RO - 1), fault(RO - 1));
        assert_eq!(load(R64, LoadIndirectU8, 0xffff_ffff), fault(0xffff_ffff));
    }
}

backend_test! {
    fn stores_to_read_only_memory_trap() {
        let args = Args { regs: regs([Reg::A1, Reg::A0, Reg::A0]), imm1: 0, ..Args::default() };
        let (interrupt, i) = run_one(R64, Opcode::StoreIndirectU8, args, &[(Reg::A0, u64::from(RO)), (Reg::A1, 1)]);
        assert_eq!(interrupt, Interrupt::Trap);
        assert_eq!(i.trap_reason(), Some(TrapReason::MemoryAccess(pvm::Fault { address: RO, is_write: true })));
        assert_eq!(i.program_counter(), 0, "the faulting instruction");
    }
}

backend_test! {
    fn stores_write_the_low_bytes() {
        let args = Args { regs: regs([Reg::A1, Reg::A0, Reg::A0]), imm1: 3, ..Args::default() };
        let (_, i) = run_one(R64, Opcode::StoreIndirectU16, args, &[(Reg::A0, u64::from(RW)), (Reg::A1, 0xaabb_ccdd)]);
        assert_eq!(i.read_memory_vec(RW, 8).unwrap(), [1, 2, 3, 0xdd, 0xcc, 6, 7, 8]);
        let args = Args { regs: regs([Reg::A0, Reg::A0, Reg::A0]), imm1: 0, imm2: (-2i32) as u32 };
        let (_, i) = run_one(R64, Opcode::StoreImmIndirectU64, args, &[(Reg::A0, u64::from(RW))]);
        assert_eq!(i.read_memory_vec(RW, 8).unwrap(), [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
        let args = Args { imm1: RW + 8, imm2: 0x1234_5678, ..Args::default() };
        let (_, i) = run_one(R64, Opcode::StoreImmU32, args, &[]);
        assert_eq!(i.read_memory_vec(RW + 8, 4).unwrap(), [0x78, 0x56, 0x34, 0x12]);
    }
}

/// Builds `jump_indirect a0, 0` preceded by a block layout with a jump table:
/// entry 1 (address 2) -> a valid block start, entry 2 (address 4) -> the middle of a block.
fn jump_table_program() -> Module {
    let mut builder = BlobBuilder::new(R64);
    builder.stack_size(0x1000);
    builder.export_here("main");
    let a0 = Reg::A0 as u8;
    builder.push(Opcode::JumpIndirect, Args { regs: [a0, 0, 0], ..Args::default() });
    let valid = builder.push(Opcode::LoadImm, Args { regs: [Reg::A1 as u8, 0, 0], imm1: 42, ..Args::default() });
    let middle = builder.push(Opcode::LoadImm, Args { regs: [Reg::A1 as u8, 0, 0], imm1: 43, ..Args::default() });
    builder.push(Opcode::JumpIndirect, Args { regs: [Reg::RA as u8, 0, 0], ..Args::default() });
    builder.jump_table_entry(valid);
    builder.jump_table_entry(middle);
    Module::new(&engine(), &ModuleConfig::default(), &builder.build()).unwrap()
}

backend_test! {
    fn dynamic_jumps_go_through_the_jump_table() {
        let module = jump_table_program();
        let run = |address: u64| {
            let mut i = start(&module, &[(Reg::A0, address)]);
            let interrupt = i.run();
            (interrupt, i.trap_reason(), i.reg(Reg::A1))
        };
        assert_eq!(run(2), (Interrupt::Finished, None, 43), "both loads are in the entry's block");
        let invalid = |target| (Interrupt::Trap, Some(TrapReason::InvalidJump { target }), 0);
        assert_eq!(run(0), invalid(0), "address 0 is never valid");
        assert_eq!(run(3), invalid(3), "odd addresses are invalid");
        assert_eq!(run(4), invalid(4), "the entry points into the middle of a block");
        assert_eq!(run(6), invalid(6), "beyond the jump table");
        assert_eq!(run(0xffff_0000), (Interrupt::Finished, None, 0), "return to host");
        // Slots are validated on first use: the jump itself traps, before and after.
        let mut i = start(&module, &[(Reg::A0, 4)]);
        for _ in 0..2 {
            assert_eq!(i.run(), Interrupt::Trap);
            assert_eq!(i.program_counter(), 0, "the dynamic jump traps");
            i.prepare_call(0, &[4]).unwrap();
        }
    }
}

backend_test! {
    fn static_jumps_into_the_middle_of_a_block_trap() {
        let mut builder = BlobBuilder::new(R64);
        builder.export_here("main");
        let a0 = Reg::A0 as u8;
        // jump -> @middle (not a block start), which traps at the jump itself.
        let jump_pc = builder.pc();
        let middle_pc = jump_pc + 5 + 3; // jump (5 bytes), load_imm a0, 1 (3 bytes)
        builder.push(Opcode::Jump, Args { imm1: middle_pc, ..Args::default() });
        builder.push(Opcode::LoadImm, Args { regs: [a0, 0, 0], imm1: 1, ..Args::default() });
        assert_eq!(builder.pc(), middle_pc);
        builder.push(Opcode::LoadImm, Args { regs: [a0, 0, 0], imm1: 2, ..Args::default() });
        builder.push(Opcode::Trap, Args::default());
        let module = Module::new(&engine(), &ModuleConfig::default(), &builder.build()).unwrap();
        let mut i = start(&module, &[]);
        assert_eq!(i.run(), Interrupt::Trap);
        assert_eq!(i.trap_reason(), Some(TrapReason::InvalidJump { target: middle_pc }));
        assert_eq!(i.program_counter(), jump_pc);
        assert_eq!(i.gas(), 1_000 - 1, "only the jump's block was charged");
    }
}

backend_test! {
    fn gas_is_charged_per_block_and_is_resumable() {
        // Block 1: 3 instructions ending in a jump; block 2: 2 instructions ending in the return.
        let mut builder = BlobBuilder::new(R64);
        builder.stack_size(0x1000);
        builder.export_here("main");
        let a0 = Reg::A0 as u8;
        builder.push(Opcode::AddImm64, Args { regs: [a0, a0, 0], imm1: 1, ..Args::default() });
        builder.push(Opcode::AddImm64, Args { regs: [a0, a0, 0], imm1: 1, ..Args::default() });
        let second_block = builder.pc() + 5;
        builder.push(Opcode::Jump, Args { imm1: second_block, ..Args::default() });
        builder.push(Opcode::AddImm64, Args { regs: [a0, a0, 0], imm1: 1, ..Args::default() });
        builder.push(Opcode::JumpIndirect, Args { regs: [Reg::RA as u8, 0, 0], ..Args::default() });
        let module = Module::new(&engine(), &ModuleConfig::default(), &builder.build()).unwrap();

        let mut i = module.instantiate();
        i.prepare_call(0, &[]).unwrap();
        i.set_gas(4);
        assert_eq!(i.run(), Interrupt::NotEnoughGas);
        assert_eq!(i.gas(), 1, "the first block (3) was paid, the second (2) was not");
        assert_eq!(i.reg(Reg::A0), 2);
        assert_eq!(i.next_program_counter(), second_block);
        assert_eq!(i.run(), Interrupt::NotEnoughGas, "still not enough");
        i.set_gas(2);
        assert_eq!(i.run(), Interrupt::Finished);
        assert_eq!((i.gas(), i.reg(Reg::A0)), (0, 3));

        // Entering the second block in its middle charges the whole block.
        let mut i = module.instantiate();
        i.prepare_call(second_block + 3, &[]).unwrap();
        i.set_gas(10);
        assert_eq!(i.run(), Interrupt::Finished);
        assert_eq!(i.gas(), 8);
    }
}

backend_test! {
    fn running_off_the_end_traps_at_the_end() {
        let mut builder = BlobBuilder::new(R64);
        builder.export_here("main");
        builder.push(Opcode::AddImm64, Args::default());
        let module = Module::new(&engine(), &ModuleConfig::default(), &builder.build()).unwrap();
        let mut i = start(&module, &[]);
        assert_eq!(i.run(), Interrupt::Trap);
        assert_eq!(i.program_counter(), module.code().code_len());
        assert_eq!(i.gas(), 1_000 - 2, "the instruction and the implicit trap");
    }
}

backend_test! {
    fn invalid_opcodes_trap() {
        let mut builder = BlobBuilder::new(R64);
        builder.export_here("main");
        builder.push_raw(&[2]); // `unlikely` in other sets, unassigned in ReviveV1
        let module = Module::new(&engine(), &ModuleConfig::default(), &builder.build()).unwrap();
        let mut i = start(&module, &[]);
        assert_eq!(i.run(), Interrupt::Trap);
        assert_eq!(i.trap_reason(), Some(TrapReason::InvalidInstruction));
    }
}

backend_test! {
    fn sbrk_grows_the_heap_until_the_limit() {
        let args = Args { regs: regs([Reg::A2, Reg::A0, Reg::A0]), ..Args::default() };
        let module = program(R32, &[(Opcode::Sbrk, args), (Opcode::Sbrk, args)]);
        let heap_base = module.memory_map().heap_base;
        let mut i = start(&module, &[(Reg::A0, 0x2000)]);
        assert_eq!(i.run(), Interrupt::Trap);
        assert_eq!(i.reg(Reg::A2), u64::from(heap_base + 0x4000));
        assert_eq!(i.heap_size(), 0x4000);
        // More than the address space has room for: fails with 0 and leaves the heap alone.
        assert!(module.memory_map().max_heap_size < 0xffff_0000);
        let mut i = start(&module, &[(Reg::A0, 0xffff_0000)]);
        i.run();
        assert_eq!(i.reg(Reg::A2), 0);
        assert_eq!(i.heap_size(), 0);
    }
}

backend_test! {
    fn memset_charges_per_byte_and_resumes() {
        let module = program(R32, &[(Opcode::Memset, Args::default())]);
        let mut i = start(&module, &[(Reg::A0, u64::from(RW)), (Reg::A1, 0x1ab), (Reg::A2, 100)]);
        i.set_gas(2 + 40); // the block (memset + trap) and 40 bytes
        assert_eq!(i.run(), Interrupt::NotEnoughGas);
        assert_eq!((i.reg(Reg::A0), i.reg(Reg::A2), i.gas()), (u64::from(RW) + 40, 60, 0));
        i.set_gas(1000);
        assert_eq!(i.run(), Interrupt::Trap);
        assert_eq!(i.trap_reason(), Some(TrapReason::Explicit));
        assert_eq!(i.gas(), 940);
        assert_eq!(i.read_memory_vec(RW, 101).unwrap()[99..], [0xab, 0]);
        // Into read-only memory: traps after writing nothing, with the progress in a0/a2.
        let mut i = start(&module, &[(Reg::A0, u64::from(RO)), (Reg::A1, 1), (Reg::A2, 4)]);
        assert_eq!(i.run(), Interrupt::Trap);
        assert_eq!((i.reg(Reg::A0), i.reg(Reg::A2)), (u64::from(RO), 4));
    }
}

backend_test! {
    fn host_calls_resume_after_the_ecalli() {
        let module =
            program(R64, &[(Opcode::Ecalli, Args { imm1: 7, ..Args::default() }), (Opcode::AddImm64, Args::default())]);
        let mut i = start(&module, &[]);
        assert_eq!(i.run(), Interrupt::Ecalli(7));
        assert_eq!(i.program_counter(), 0);
        assert_eq!(i.gas(), 1_000 - 3, "the whole block is charged once");
        assert_eq!(i.run(), Interrupt::Trap);
        assert_eq!(i.gas(), 1_000 - 3);
    }
}

backend_test! {
    /// On 32-bit instruction sets registers hold sign-extended 32-bit values, also the
    /// address and count that `memset` writes back: a stack address (above 2 GiB) is
    /// negative to the signed comparisons afterwards. (A differential-fuzzer finding: the
    /// end address was left zero-extended, so `maximum` saw it as positive.)
    fn memset_leaves_32_bit_registers_sign_extended() {
        use Opcode::*;
        let stack_low = 0xfffd_f000_u32;
        let reg_imm = |d: Reg, s: Reg, imm: u32| Args { regs: regs([d, s, Reg::RA]), imm1: imm, ..Args::default() };
        let module = program(
            InstructionSet::Latest32,
            &[
                (LoadImm, Args { regs: regs([Reg::A0, Reg::RA, Reg::RA]), imm1: stack_low, ..Args::default() }),
                (LoadImm, Args { regs: regs([Reg::A2, Reg::RA, Reg::RA]), imm1: 4, ..Args::default() }),
                (Memset, Args::default()),
                (Maximum, Args { regs: regs([Reg::A3, Reg::A0, Reg::A4]), ..Args::default() }),
                (SetLessThanSignedImm, reg_imm(Reg::A5, Reg::A0, 2)),
            ],
        );
        let mut instance = start(&module, &[(Reg::A4, 0)]);
        assert_eq!(instance.run(), Interrupt::Trap);
        assert_eq!(instance.trap_reason(), Some(TrapReason::Explicit));
        assert_eq!(instance.reg(Reg::A0), u64::from(stack_low + 4));
        assert_eq!(instance.reg(Reg::A3), 0, "max(a0 < 0, 0)");
        assert_eq!(instance.reg(Reg::A5), 1, "a0 < 2 as signed 32-bit values");
    }
}

backend_test! {
    /// Nothing below the stack's low address is accessible, also once the whole stack has
    /// been touched and with a stack size that is not a power of two (polkavm 0.37's
    /// interpreter gets this wrong; see `differential::ReferenceBug`).
    fn stack_accesses_below_the_low_address_trap_after_the_stack_grew() {
        use Opcode::*;
        for isa in [InstructionSet::Latest32, InstructionSet::Latest64, InstructionSet::ReviveV1] {
            let stack_high = 0xfffe_0000_u32;
            let stack_low = stack_high - 0x3000;
            let mut builder = BlobBuilder::new(isa);
            builder.stack_size(0x3000);
            builder.export_here("main");
            let at = |imm1: u32| Args { regs: regs([Reg::A1, Reg::A0, Reg::RA]), imm1, ..Args::default() };
            let store = Args { regs: regs([Reg::A0, Reg::RA, Reg::RA]), imm1: 0, imm2: 7 };
            builder.push(StoreImmIndirectU8, store);
            builder.push(LoadIndirectU8, at(0));
            builder.push(LoadIndirectU8, at(-1i32 as u32));
            builder.push(Trap, Args::default());
            let module = Module::new(&engine(), &ModuleConfig::default(), &builder.build()).unwrap();
            let mut instance = start(&module, &[(Reg::A0, u64::from(stack_low))]);
            assert_eq!(instance.run(), Interrupt::Trap);
            assert_eq!(instance.reg(Reg::A1), 7, "{isa:?}: the lowest stack byte is accessible");
            assert_eq!(
                instance.trap_reason(),
                Some(TrapReason::MemoryAccess(pvm::Fault { address: stack_low - 1, is_write: false })),
                "{isa:?}"
            );
        }
    }
}
