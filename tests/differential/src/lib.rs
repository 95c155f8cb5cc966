//! Differential testing of `pvm` against the reference implementation, polkavm 0.37.
//!
//! - [`generate`] turns a byte source ([`arbitrary::Unstructured`]) into a random but
//!   well-formed [`Program`] for one of the four instruction sets, so the same generator
//!   serves the `differential` fuzz target and the seeded tests;
//! - [`run_both`] loads a blob in both VMs, calls its first export and records a [`Trace`]
//!   of every interrupt on each side, answering host calls and out-of-gas stops with the
//!   same deterministic host behaviour;
//! - [`compare`] runs both and describes the first divergence, with a disassembly;
//!   [`check_export`] does the same for a named export of a real program (the corpus
//!   programs of `contracts/`, in `tests/corpus.rs`).
//!
//! The reference runs on its interpreter backend with synchronous gas metering, the
//! default (naive) cost model and 4 KiB pages; `pvm` with its default `ModuleConfig`,
//! which is the same.
//!
//! Known, intentional differences that are not reported:
//! - `pvm` rejects a blob whose export does not point at the start of an instruction
//!   (the reference accepts it and traps when the export is called). When only `pvm`
//!   rejects a blob for that reason, [`compare`] accepts the outcome.
//! - `pvm::RawInstance::program_counter` returns a `u32`, the reference an `Option`:
//!   where the reference has none (e.g. out of gas on entering the export, before any
//!   instruction ran), pvm's value is not compared.
//!
//! A run where the reference panics (debug assertions in polkavm 0.37) is inconclusive,
//! not a divergence; a run that needs more memory than the reference may allocate
//! ([`REFERENCE_MEMORY_LIMIT`]) is skipped; and where polkavm's interpreter is known to
//! be wrong ([`ReferenceBug`]: checked against the memory map and, where it runs here,
//! polkavm's own compiler backend), the run is counted as such. See [`Verdict`].

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::OnceLock;

use arbitrary::Unstructured;
use polkavm_common::program::{Instruction, InstructionSet as _, InstructionSetKind, Opcode, RawReg, Reg};
use polkavm_common::writer::ProgramBlobBuilder;

pub use arbitrary;

/// The instruction sets the generator picks from.
pub const ISAS: [InstructionSetKind; 4] = [
    InstructionSetKind::ReviveV1,
    InstructionSetKind::Latest32,
    InstructionSetKind::Latest64,
    InstructionSetKind::JamV1,
];

/// Page size used by both VMs.
pub const PAGE_SIZE: u32 = 0x1000;
/// Gas a host call (`ecalli`) consumes; the host may drive the gas negative.
pub const ECALLI_GAS: i64 = 5;
/// Gas added on each `NotEnoughGas` stop.
pub const REFUEL_GAS: i64 = 50;
/// How many times a run is refuelled before it is abandoned.
pub const MAX_REFUELS: usize = 8;
/// Upper bound on recorded interrupts per run (a safety net; gas bounds runs already).
pub const MAX_EVENTS: usize = 4096;

/// Heap pages compared after a run (from the start of the RW region).
const MAX_HEAP_PAGES: u32 = 32;

/// Where a program's export points.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ExportAt {
    /// The start of a basic block (index).
    Block(u32),
    /// An instruction (index into [`Program::code`]), possibly in the middle of a block.
    Instruction(u32),
}

/// A program in the reference's builder form, plus how to call it.
#[derive(Clone, Debug)]
pub struct Program {
    /// The instruction set.
    pub isa: InstructionSetKind,
    /// Declared RO data size.
    pub ro_data_size: u32,
    /// RO data contents (at most `ro_data_size` bytes).
    pub ro_data: Vec<u8>,
    /// Declared RW data size.
    pub rw_data_size: u32,
    /// RW data contents (at most `rw_data_size` bytes).
    pub rw_data: Vec<u8>,
    /// Stack size.
    pub stack_size: u32,
    /// The code; branch and jump targets are basic-block indices.
    pub code: Vec<Instruction>,
    /// Jump table entries (basic-block indices).
    pub jump_table: Vec<u32>,
    /// The single export, `main`.
    pub export: ExportAt,
    /// Call arguments (`a0`..`a5`).
    pub args: Vec<u64>,
    /// Initial gas.
    pub gas: i64,
}

impl Program {
    /// An empty program for `isa` with default memory sizes and gas.
    pub fn new(isa: InstructionSetKind, code: Vec<Instruction>) -> Self {
        Program {
            isa,
            ro_data_size: 0,
            ro_data: Vec::new(),
            rw_data_size: 0,
            rw_data: Vec::new(),
            stack_size: PAGE_SIZE,
            code,
            jump_table: Vec::new(),
            export: ExportAt::Block(0),
            args: Vec::new(),
            gas: 100_000,
        }
    }

    /// Serialises the program with polkavm's `ProgramBlobBuilder`.
    pub fn blob(&self) -> Result<Vec<u8>, String> {
        let mut builder = ProgramBlobBuilder::new(self.isa);
        builder.set_ro_data_size(self.ro_data_size);
        builder.set_ro_data(self.ro_data.clone());
        builder.set_rw_data_size(self.rw_data_size);
        builder.set_rw_data(self.rw_data.clone());
        builder.set_stack_size(self.stack_size);
        match self.export {
            ExportAt::Block(block) => builder.add_export_by_basic_block(block, b"main"),
            ExportAt::Instruction(index) => builder.add_export_by_instruction(index, b"main"),
        }
        builder.set_code(&self.code, &self.jump_table);
        builder.to_vec()
    }

    /// Builds the blob and compares both VMs on it.
    pub fn compare(&self) -> Result<(), String> {
        self.check().map(|_| ())
    }

    /// Builds the blob and checks both VMs on it (see [`check`]).
    pub fn check(&self) -> Result<Verdict, String> {
        let blob = self.blob().map_err(|error| format!("the reference builder failed: {error}\n{self:#?}"))?;
        check(&blob, &self.args, self.gas)
    }

    /// Drops the non-terminator instructions `isa` lacks (for hand-written programs
    /// meant for every instruction set).
    pub fn retain_supported(mut self) -> Self {
        let isa = self.isa;
        self.code.retain(|i| i.opcode().starts_new_basic_block() || isa.supports_opcode(i.opcode()));
        self
    }
}

/// A register operand.
pub fn r(reg: Reg) -> RawReg {
    reg.into()
}

macro_rules! instruction_table {
    (
        argless: [$($argless:ident),* $(,)?],
        reg_imm: [$($reg_imm:ident),* $(,)?],
        reg_imm_offset: [$($reg_imm_offset:ident),* $(,)?],
        reg_imm_imm: [$($reg_imm_imm:ident),* $(,)?],
        reg_reg_imm: [$($reg_reg_imm:ident),* $(,)?],
        reg_reg_offset: [$($reg_reg_offset:ident),* $(,)?],
        reg_reg_reg: [$($reg_reg_reg:ident),* $(,)?],
        offset: [$($offset:ident),* $(,)?],
        imm: [$($imm:ident),* $(,)?],
        imm_imm: [$($imm_imm:ident),* $(,)?],
        reg_reg: [$($reg_reg:ident),* $(,)?],
        reg_reg_imm_imm: [$($reg_reg_imm_imm:ident),* $(,)?],
        reg_imm64: [$($reg_imm64:ident),* $(,)?],
    ) => {
        /// Every opcode the generator knows.
        const ALL_OPCODES: &[Opcode] = &[
            $(Opcode::$argless,)* $(Opcode::$reg_imm,)* $(Opcode::$reg_imm_offset,)* $(Opcode::$reg_imm_imm,)*
            $(Opcode::$reg_reg_imm,)* $(Opcode::$reg_reg_offset,)* $(Opcode::$reg_reg_reg,)* $(Opcode::$offset,)*
            $(Opcode::$imm,)* $(Opcode::$imm_imm,)* $(Opcode::$reg_reg,)* $(Opcode::$reg_reg_imm_imm,)*
            $(Opcode::$reg_imm64,)*
        ];

        impl Gen<'_, '_> {
            /// A random instance of `opcode` with biased operands.
            fn instruction(&mut self, opcode: Opcode) -> arbitrary::Result<Instruction> {
                Ok(match opcode {
                    $(Opcode::$argless => Instruction::$argless,)*
                    $(Opcode::$reg_imm => Instruction::$reg_imm(self.reg()?, self.imm()?),)*
                    $(Opcode::$reg_imm_offset => Instruction::$reg_imm_offset(self.reg()?, self.imm()?, self.block()?),)*
                    $(Opcode::$reg_imm_imm => Instruction::$reg_imm_imm(self.reg()?, self.imm()?, self.imm()?),)*
                    $(Opcode::$reg_reg_imm => Instruction::$reg_reg_imm(self.reg()?, self.reg()?, self.imm()?),)*
                    $(Opcode::$reg_reg_offset => Instruction::$reg_reg_offset(self.reg()?, self.reg()?, self.block()?),)*
                    $(Opcode::$reg_reg_reg => Instruction::$reg_reg_reg(self.reg()?, self.reg()?, self.reg()?),)*
                    $(Opcode::$offset => Instruction::$offset(self.block()?),)*
                    $(Opcode::$imm => Instruction::$imm(self.imm()?),)*
                    $(Opcode::$imm_imm => Instruction::$imm_imm(self.imm()?, self.imm()?),)*
                    $(Opcode::$reg_reg => Instruction::$reg_reg(self.reg()?, self.reg()?),)*
                    $(Opcode::$reg_reg_imm_imm => Instruction::$reg_reg_imm_imm(self.reg()?, self.reg()?, self.imm()?, self.imm()?),)*
                    $(Opcode::$reg_imm64 => Instruction::$reg_imm64(self.reg()?, self.imm64()?),)*
                    _ => Instruction::trap,
                })
            }
        }
    };
}

instruction_table! {
    argless: [trap, fallthrough, memset, unlikely],
    reg_imm: [
        jump_indirect, load_imm, load_u8, load_i8, load_u16, load_i16, load_i32, load_u32, load_u64, store_u8,
        store_u16, store_u32, store_u64,
    ],
    reg_imm_offset: [
        load_imm_and_jump, branch_eq_imm, branch_not_eq_imm, branch_less_unsigned_imm, branch_less_signed_imm,
        branch_greater_or_equal_unsigned_imm, branch_greater_or_equal_signed_imm, branch_less_or_equal_signed_imm,
        branch_less_or_equal_unsigned_imm, branch_greater_signed_imm, branch_greater_unsigned_imm,
    ],
    reg_imm_imm: [store_imm_indirect_u8, store_imm_indirect_u16, store_imm_indirect_u32, store_imm_indirect_u64],
    reg_reg_imm: [
        store_indirect_u8, store_indirect_u16, store_indirect_u32, store_indirect_u64, load_indirect_u8,
        load_indirect_i8, load_indirect_u16, load_indirect_i16, load_indirect_i32, load_indirect_u32,
        load_indirect_u64, add_imm_32, add_imm_64, and_imm, xor_imm, or_imm, mul_imm_32, mul_imm_64,
        set_less_than_unsigned_imm, set_less_than_signed_imm, shift_logical_left_imm_32, shift_logical_left_imm_64,
        shift_logical_right_imm_32, shift_logical_right_imm_64, shift_arithmetic_right_imm_32,
        shift_arithmetic_right_imm_64, negate_and_add_imm_32, negate_and_add_imm_64, set_greater_than_unsigned_imm,
        set_greater_than_signed_imm, shift_logical_right_imm_alt_32, shift_logical_right_imm_alt_64,
        shift_arithmetic_right_imm_alt_32, shift_arithmetic_right_imm_alt_64, shift_logical_left_imm_alt_32,
        shift_logical_left_imm_alt_64, cmov_if_zero_imm, cmov_if_not_zero_imm, rotate_right_imm_32,
        rotate_right_imm_alt_32, rotate_right_imm_64, rotate_right_imm_alt_64,
    ],
    reg_reg_offset: [
        branch_eq, branch_not_eq, branch_less_unsigned, branch_less_signed, branch_greater_or_equal_unsigned,
        branch_greater_or_equal_signed,
    ],
    reg_reg_reg: [
        add_32, add_64, sub_32, sub_64, and, xor, or, mul_32, mul_64, mul_upper_signed_signed,
        mul_upper_unsigned_unsigned, mul_upper_signed_unsigned, set_less_than_unsigned, set_less_than_signed,
        shift_logical_left_32, shift_logical_left_64, shift_logical_right_32, shift_logical_right_64,
        shift_arithmetic_right_32, shift_arithmetic_right_64, div_unsigned_32, div_unsigned_64, div_signed_32,
        div_signed_64, rem_unsigned_32, rem_unsigned_64, rem_signed_32, rem_signed_64, cmov_if_zero,
        cmov_if_not_zero, and_inverted, or_inverted, xnor, maximum, maximum_unsigned, minimum, minimum_unsigned,
        rotate_left_32, rotate_left_64, rotate_right_32, rotate_right_64,
    ],
    offset: [jump],
    imm: [ecalli],
    imm_imm: [store_imm_u8, store_imm_u16, store_imm_u32, store_imm_u64],
    reg_reg: [
        move_reg, sbrk, count_leading_zero_bits_32, count_leading_zero_bits_64, count_trailing_zero_bits_32,
        count_trailing_zero_bits_64, count_set_bits_32, count_set_bits_64, sign_extend_8, sign_extend_16,
        zero_extend_16, reverse_byte,
    ],
    reg_reg_imm_imm: [load_imm_and_jump_indirect],
    reg_imm64: [load_imm64],
}

/// Generator state: the byte source and what operands should aim at.
struct Gen<'a, 'b> {
    u: &'a mut Unstructured<'b>,
    /// Interesting addresses: region starts and ends, page boundaries, the
    /// return-to-host address.
    addresses: Vec<u32>,
    /// Number of basic blocks (branch targets are below this).
    blocks: u32,
    /// Number of jump table entries.
    jump_table_len: u32,
    /// When not empty, registers are drawn from these only: so that consecutive
    /// instructions depend on each other (aimed at the interpreter's superinstructions),
    /// or so that an instruction reads what `memset`, `sbrk` or a host call left.
    focus: Vec<Reg>,
}

/// Values at the sign boundaries of 32 and 64 bits, and their 32-bit views.
pub const BOUNDARY_VALUES: &[u64] = &[
    0,
    1,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_ffff,
    0x1_0000_0000,
    0xffff_ffff_8000_0000,
    0xffff_ffff_7fff_ffff,
    0x7fff_ffff_ffff_ffff,
    0x8000_0000_0000_0000,
    u64::MAX,
];

const EDGE_IMMEDIATES: &[i32] = &[
    i32::MIN,
    i32::MIN + 1,
    i32::MAX,
    i32::MAX - 1,
    -2,
    2,
    7,
    8,
    15,
    16,
    31,
    32,
    33,
    63,
    64,
    65,
    0x7f,
    0x80,
    0xff,
    0x7fff,
    0x8000,
    0xffff,
    -0x8000,
    -0x10000,
];

impl Gen<'_, '_> {
    fn reg(&mut self) -> arbitrary::Result<RawReg> {
        if !self.focus.is_empty() {
            return Ok((*self.u.choose(&self.focus)?).into());
        }
        Ok(Reg::ALL[self.u.int_in_range(0..=12usize)?].into())
    }

    /// An address near a region boundary: mostly within a few bytes of it (where an
    /// access straddles it), sometimes anywhere within a page on either side.
    fn address(&mut self) -> arbitrary::Result<u32> {
        let base = *self.u.choose(&self.addresses)?;
        let reach = if self.u.ratio(1, 4)? { PAGE_SIZE as i32 } else { 9 };
        let offset = self.u.int_in_range(-reach..=reach)?;
        Ok(base.wrapping_add(offset as u32))
    }

    /// A jump-table address: mostly valid entries, sometimes 0, odd or out of range.
    fn dynamic_address(&mut self) -> arbitrary::Result<u32> {
        Ok(match self.u.int_in_range(0..=9)? {
            0 => 0,
            1 => self.u.int_in_range(0..=2 * self.jump_table_len + 3)?,
            2 => pvm::RETURN_TO_HOST,
            3 => (self.jump_table_len + 1) * 2,
            _ => 2 * self.u.int_in_range(1..=self.jump_table_len.max(1))?,
        })
    }

    fn imm(&mut self) -> arbitrary::Result<i32> {
        Ok(match self.u.int_in_range(0..=11)? {
            0 => 0,
            1 => 1,
            2 => -1,
            3 | 4 => *self.u.choose(EDGE_IMMEDIATES)?,
            5 => self.u.int_in_range(-16..=16)?,
            6..=8 => self.address()? as i32,
            9 => self.dynamic_address()? as i32,
            _ => self.u.arbitrary()?,
        })
    }

    fn imm64(&mut self) -> arbitrary::Result<u64> {
        Ok(match self.u.int_in_range(0..=5)? {
            0 => *self.u.choose(BOUNDARY_VALUES)?,
            1 => u64::from(self.address()?),
            2 => self.imm()? as i64 as u64,
            3 => 0xffff_ffff_0000_0000 | u64::from(self.address()?),
            _ => self.u.arbitrary()?,
        })
    }

    fn block(&mut self) -> arbitrary::Result<u32> {
        self.u.int_in_range(0..=self.blocks - 1)
    }

    fn size(&mut self) -> arbitrary::Result<u32> {
        Ok(match self.u.int_in_range(0..=7)? {
            0 | 1 => 0,
            2 => 1,
            3 => PAGE_SIZE,
            4 => PAGE_SIZE + 1,
            5 => 2 * PAGE_SIZE,
            _ => self.u.int_in_range(1..=3 * PAGE_SIZE)?,
        })
    }

    fn data(&mut self, size: u32) -> arbitrary::Result<Vec<u8>> {
        let len = self.u.int_in_range(0..=size.min(64))? as usize;
        let mut data = vec![0; len];
        self.u.fill_buffer(&mut data)?;
        Ok(data)
    }

    /// The instruction after one that changes `regs` behind the program's back
    /// (`memset`, `sbrk`, a host call): half the time one that reads them (and one other
    /// register), else any.
    fn follow_up(&mut self, supported: &[Opcode], regs: &[Reg]) -> arbitrary::Result<Instruction> {
        if self.u.ratio(1, 2)? {
            self.focus = regs.to_vec();
            let other = Reg::ALL[self.u.int_in_range(0..=12usize)?];
            self.focus.push(other);
        }
        let opcode = *self.u.choose(supported)?;
        let instruction = self.instruction(opcode);
        self.focus.clear();
        instruction
    }

    /// A block terminator, possibly preceded by set-up instructions (pushed to `code`).
    fn terminator(&mut self, code: &mut Vec<Instruction>) -> arbitrary::Result<Instruction> {
        Ok(match self.u.int_in_range(0..=19)? {
            0..=3 => Instruction::fallthrough,
            4 => Instruction::trap,
            5 | 6 => Instruction::jump(self.block()?),
            7 | 8 => Instruction::jump_indirect(r(Reg::RA), 0),
            9 | 10 => {
                // A computed jump through the jump table.
                let reg = self.reg()?;
                let (base, offset) = if self.u.ratio(1, 2)? { (self.dynamic_address()?, 0) } else { (0, self.imm()?) };
                code.push(Instruction::load_imm(reg, base as i32));
                Instruction::jump_indirect(reg, offset)
            }
            11 => Instruction::jump_indirect(self.reg()?, self.imm()?),
            12 => Instruction::load_imm_and_jump(self.reg()?, self.imm()?, self.block()?),
            13 => {
                let offset = if self.u.ratio(1, 2)? { 0 } else { self.imm()? };
                let address = self.dynamic_address()? as i32;
                Instruction::load_imm_and_jump_indirect(self.reg()?, self.reg()?, address, offset)
            }
            _ => {
                // A conditional branch, from either branch family.
                let branches = ALL_OPCODES.iter().filter(|op| op.name().starts_with("branch_")).copied();
                let branches: Vec<Opcode> = branches.collect();
                let opcode = *self.u.choose(&branches)?;
                self.instruction(opcode)?
            }
        })
    }
}

/// The pairs of opcodes that `isa` has and our interpreter runs as superinstructions
/// (`pvm::superinstruction_pairs`, whose operation kinds are named after the opcodes).
pub fn fusable_pairs(isa: InstructionSetKind) -> Vec<(Opcode, Opcode)> {
    static PAIRS: OnceLock<Vec<(Opcode, Opcode)>> = OnceLock::new();
    let pairs = PAIRS.get_or_init(|| {
        let opcode = |kind: &str| {
            ALL_OPCODES
                .iter()
                .copied()
                .find(|opcode| opcode.name().replace('_', "") == kind.to_lowercase())
                .unwrap_or_else(|| panic!("no opcode is named like the operation kind {kind}"))
        };
        pvm::superinstruction_pairs().iter().map(|(first, second)| (opcode(first), opcode(second))).collect()
    });
    pairs.iter().copied().filter(|&(first, second)| isa.supports_opcode(first) && isa.supports_opcode(second)).collect()
}

/// The non-terminator opcodes `isa` has, in the generator's order.
pub fn straight_line_opcodes(isa: InstructionSetKind) -> Vec<Opcode> {
    ALL_OPCODES.iter().copied().filter(|&op| isa.supports_opcode(op) && !op.starts_new_basic_block()).collect()
}

/// An instance of `opcode` whose register operands are drawn from `regs` and whose
/// immediates are biased as the generator's, chosen by `seed`.
pub fn instruction_reading(opcode: Opcode, regs: &[Reg], seed: u64) -> Instruction {
    let bytes = seeded_bytes(seed, 256);
    let mut u = Unstructured::new(&bytes);
    let mut gen = Gen { u: &mut u, addresses: vec![0], blocks: 1, jump_table_len: 0, focus: regs.to_vec() };
    gen.instruction(opcode).unwrap_or(Instruction::trap)
}

/// Generates a random program from `u`. Never fails on short input (the byte source
/// then yields default choices).
pub fn generate(u: &mut Unstructured<'_>) -> arbitrary::Result<Program> {
    let isa = *u.choose(&ISAS)?;
    let mut gen = Gen { u, addresses: Vec::new(), blocks: 1, jump_table_len: 0, focus: Vec::new() };
    let ro_data_size = gen.size()?;
    let rw_data_size = gen.size()?;
    // Page-aligned: with an unaligned stack size, polkavm 0.37's host-side
    // `read_memory` of a touched low stack page underflows (`stack_size - stack.len()`
    // in `StandardMemory::read_memory_into`: a panic in debug builds, wrong bytes in
    // release), which would hide everything else.
    let stack_size = gen.size()?.div_ceil(PAGE_SIZE) * PAGE_SIZE;
    let ro_data = gen.data(ro_data_size)?;
    let rw_data = gen.data(rw_data_size)?;

    let map = pvm::MemoryMap::new(PAGE_SIZE, ro_data_size, rw_data_size, stack_size, 0)
        .expect("small sizes always fit the address space");
    let ro = map.ro_data_address();
    gen.addresses = vec![
        0,
        ro,
        ro + ro_data_size,
        ro + map.ro_data_size,
        map.rw_data_address,
        map.rw_data_address + PAGE_SIZE,
        map.heap_base,
        map.rw_data_address + map.rw_data_size,
        map.stack_address_low(),
        map.stack_address_low() + PAGE_SIZE,
        map.stack_address_high,
        pvm::RETURN_TO_HOST,
        u32::MAX - 3,
    ];

    gen.blocks = gen.u.int_in_range(1..=8)?;
    gen.jump_table_len = gen.u.int_in_range(0..=4)?;
    let mut jump_table = Vec::new();
    for _ in 0..gen.jump_table_len {
        jump_table.push(gen.block()?);
    }

    let supported: Vec<Opcode> =
        ALL_OPCODES.iter().copied().filter(|&op| isa.supports_opcode(op) && !op.starts_new_basic_block()).collect();
    let pairs = fusable_pairs(isa);
    let mut code = Vec::new();
    // Instruction indices of the second halves of fusable pairs: the export may point
    // at one, so that a superinstruction is entered at its second operation.
    let mut second_halves = Vec::new();
    for block in 0..gen.blocks {
        // Set when a fusable pair ends with this block's branch.
        let mut pair_terminator = None;
        for _ in 0..gen.u.int_in_range(0..=6)? {
            let instruction = match gen.u.int_in_range(0..=19)? {
                7 | 8 if !pairs.is_empty() => {
                    let (first, second) = *gen.u.choose(&pairs)?;
                    if gen.u.ratio(1, 2)? {
                        gen.focus = vec![Reg::A0, Reg::A1];
                    }
                    code.push(gen.instruction(first)?);
                    let second = gen.instruction(second)?;
                    gen.focus.clear();
                    second_halves.push(code.len() as u32);
                    if second.opcode().starts_new_basic_block() {
                        pair_terminator = Some(second);
                        break;
                    }
                    second
                }
                0..=3 => Instruction::load_imm(gen.reg()?, gen.imm()?),
                // A host call (the host writes a0 from a1), `sbrk` and `memset`, each
                // followed by an instruction that reads what they left behind.
                4 => {
                    code.push(Instruction::ecalli(gen.u.int_in_range(0..=3)?));
                    gen.follow_up(&supported, &[Reg::A0, Reg::A1])?
                }
                5 if isa.supports_opcode(Opcode::sbrk) => {
                    // The size is loaded just before: small, or so large that `sbrk` fails
                    // (or succeeds once). Unbounded sizes in a loop that touches the heap's
                    // top make both VMs back gigabytes of memory, which tells little
                    // and takes seconds per program (`regression_reference_memory_limit`
                    // covers a large heap).
                    let (d, s) = (gen.reg()?, gen.reg()?);
                    let size = match gen.u.int_in_range(0..=7)? {
                        0 => 0,
                        1 => *gen.u.choose(&[1, PAGE_SIZE - 1, PAGE_SIZE, PAGE_SIZE + 1])?,
                        2 => *gen.u.choose(&[0x7fff_ffff, 0x8000_0000, u32::MAX])?,
                        _ => gen.u.int_in_range(0..=4 * PAGE_SIZE)?,
                    };
                    code.push(Instruction::load_imm(s, size as i32));
                    code.push(Instruction::sbrk(d, s));
                    gen.follow_up(&supported, &[d.get(), s.get()])?
                }
                6 if isa.supports_opcode(Opcode::memset) => {
                    // Half the time into the stack: its addresses are above 2 GiB, negative
                    // as 32-bit values, and its low end is where the reference's
                    // resident buffer may reach below it.
                    let address = if gen.u.ratio(1, 2)? {
                        let low = map.stack_address_low();
                        gen.u.int_in_range(low..=map.stack_address_high.max(low + 1) - 1)?
                    } else {
                        gen.address()?
                    };
                    code.push(Instruction::load_imm(r(Reg::A0), address as i32));
                    code.push(Instruction::load_imm(r(Reg::A2), gen.u.int_in_range(0..=300)?));
                    code.push(Instruction::memset);
                    gen.follow_up(&supported, &[Reg::A0, Reg::A2])?
                }
                _ => {
                    let opcode = *gen.u.choose(&supported)?;
                    gen.instruction(opcode)?
                }
            };
            code.push(instruction);
        }
        let mut terminator = match pair_terminator {
            Some(branch) => branch,
            None => gen.terminator(&mut code)?,
        };
        if block + 1 == gen.blocks && terminator.opcode().can_fallthrough() && !gen.u.ratio(1, 8)? {
            // Falling off the end of the code is exercised, but rarely: it is one
            // behaviour, and in JamV1 the reference rejects such blobs outright.
            terminator = if gen.u.ratio(1, 2)? { Instruction::trap } else { Instruction::jump_indirect(r(Reg::RA), 0) };
        }
        code.push(terminator);
    }
    let export = if !second_halves.is_empty() && gen.u.ratio(1, 8)? {
        ExportAt::Instruction(*gen.u.choose(&second_halves)?)
    } else {
        ExportAt::Block(0)
    };

    let mut args = Vec::new();
    for _ in 0..6 {
        args.push(gen.imm64()?);
    }
    let gas = *gen.u.choose(&[0, 1, 2, 3, 5, 10, 30, 100, 1_000, 10_000, 100_000])?;
    Ok(Program { isa, ro_data_size, ro_data, rw_data_size, rw_data, stack_size, code, jump_table, export, args, gas })
}

/// What stopped a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// Returned to the host.
    Finished,
    /// Trapped.
    Trap,
    /// `ecalli n`.
    Ecalli(u32),
    /// Out of gas (resumable).
    NotEnoughGas,
    /// A page fault (never expected with the standard memory model).
    PageFault(u32),
    /// The VM refused to run.
    Error(String),
}

/// One interrupt and the state at it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// What happened.
    pub kind: EventKind,
    /// The pc of the interrupting instruction (not recorded for `Finished`).
    pub pc: Option<u32>,
    /// Where execution would resume (only for `Ecalli` and `NotEnoughGas`).
    pub next_pc: Option<u32>,
    /// All 13 registers (low 32 bits on 32-bit programs).
    pub regs: [u64; 13],
    /// Remaining gas.
    pub gas: i64,
    /// For a trap on a memory access, the first inaccessible byte (pvm only: the
    /// reference does not report it, so it is not compared).
    pub fault_address: Option<u32>,
}

/// The memory layout as each VM reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    /// RO start and (page-aligned) size.
    pub ro: (u32, u32),
    /// RW start and (page-aligned) size.
    pub rw: (u32, u32),
    /// Stack low and high.
    pub stack: (u32, u32),
    /// Heap base and maximum heap size.
    pub heap: (u32, u32),
    /// The export's pc.
    pub export_pc: Option<u32>,
}

/// Everything observed while running one blob on one VM.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trace {
    /// The layout, or why the blob was rejected.
    pub loaded: Result<Layout, String>,
    /// Every interrupt, in order.
    pub events: Vec<Event>,
    /// Memory pages after the run: address and contents (`None` if inaccessible).
    pub memory: Vec<(u32, Option<Vec<u8>>)>,
    /// Heap size after the run.
    pub heap_size: u32,
}

/// The operations the driver needs from a VM.
trait Vm {
    fn run(&mut self) -> EventKind;
    fn reg(&self, index: usize) -> u64;
    fn set_reg(&mut self, index: usize, value: u64);
    fn gas(&self) -> i64;
    fn set_gas(&mut self, gas: i64);
    fn pc(&self) -> Option<u32>;
    fn next_pc(&self) -> Option<u32>;
    fn read_page(&mut self, address: u32) -> Option<Vec<u8>>;
    fn heap_size(&self) -> u32;
    fn is_64_bit(&self) -> bool;
    /// After a trap on a memory access, the address (where the VM reports it).
    fn fault_address(&self) -> Option<u32> {
        None
    }
}

impl Vm for pvm::RawInstance {
    fn run(&mut self) -> EventKind {
        match pvm::RawInstance::run(self) {
            pvm::Interrupt::Finished => EventKind::Finished,
            pvm::Interrupt::Trap => EventKind::Trap,
            pvm::Interrupt::Ecalli(n) => EventKind::Ecalli(n),
            pvm::Interrupt::NotEnoughGas => EventKind::NotEnoughGas,
            pvm::Interrupt::PageFault(fault) => EventKind::PageFault(fault.address),
        }
    }
    fn reg(&self, index: usize) -> u64 {
        pvm::RawInstance::reg(self, pvm::Reg::ALL[index])
    }
    fn set_reg(&mut self, index: usize, value: u64) {
        pvm::RawInstance::set_reg(self, pvm::Reg::ALL[index], value)
    }
    fn gas(&self) -> i64 {
        pvm::RawInstance::gas(self)
    }
    fn set_gas(&mut self, gas: i64) {
        pvm::RawInstance::set_gas(self, gas)
    }
    fn pc(&self) -> Option<u32> {
        Some(self.program_counter())
    }
    fn next_pc(&self) -> Option<u32> {
        Some(self.next_program_counter())
    }
    fn read_page(&mut self, address: u32) -> Option<Vec<u8>> {
        self.read_memory_vec(address, PAGE_SIZE).ok()
    }
    fn heap_size(&self) -> u32 {
        pvm::RawInstance::heap_size(self)
    }
    fn is_64_bit(&self) -> bool {
        self.module().isa().is_64_bit()
    }
    fn fault_address(&self) -> Option<u32> {
        match self.trap_reason() {
            Some(pvm::TrapReason::MemoryAccess(fault)) => Some(fault.address),
            _ => None,
        }
    }
}

impl Vm for polkavm::RawInstance {
    fn run(&mut self) -> EventKind {
        match polkavm::RawInstance::run(self) {
            Ok(polkavm::InterruptKind::Finished) => EventKind::Finished,
            Ok(polkavm::InterruptKind::Trap) => EventKind::Trap,
            Ok(polkavm::InterruptKind::Ecalli(n)) => EventKind::Ecalli(n),
            Ok(polkavm::InterruptKind::NotEnoughGas) => EventKind::NotEnoughGas,
            Ok(polkavm::InterruptKind::Segfault(fault)) => EventKind::PageFault(fault.page_address),
            Ok(other) => EventKind::Error(format!("unexpected interrupt {other:?}")),
            Err(error) => EventKind::Error(error.to_string()),
        }
    }
    fn reg(&self, index: usize) -> u64 {
        polkavm::RawInstance::reg(self, Reg::ALL[index])
    }
    fn set_reg(&mut self, index: usize, value: u64) {
        polkavm::RawInstance::set_reg(self, Reg::ALL[index], value)
    }
    fn gas(&self) -> i64 {
        polkavm::RawInstance::gas(self)
    }
    fn set_gas(&mut self, gas: i64) {
        polkavm::RawInstance::set_gas(self, gas)
    }
    fn pc(&self) -> Option<u32> {
        self.program_counter().map(|pc| pc.0)
    }
    fn next_pc(&self) -> Option<u32> {
        self.next_program_counter().map(|pc| pc.0)
    }
    fn read_page(&mut self, address: u32) -> Option<Vec<u8>> {
        self.read_memory(address, PAGE_SIZE).ok()
    }
    fn heap_size(&self) -> u32 {
        polkavm::RawInstance::heap_size(self)
    }
    fn is_64_bit(&self) -> bool {
        polkavm::RawInstance::is_64_bit(self)
    }
}

/// Pages compared after a run: RO, RW plus heap (capped), and one page beyond each
/// region (including the stack) to check where accessibility ends.
fn pages_to_compare(layout: &Layout, heap_size: u32) -> Vec<u32> {
    let mut pages = Vec::new();
    let mut range = |start: u32, end: u32| {
        let mut page = start;
        while page < end {
            pages.push(page);
            page = match page.checked_add(PAGE_SIZE) {
                Some(next) => next,
                None => break,
            };
        }
    };
    let (ro, ro_size) = layout.ro;
    range(ro, ro + ro_size + PAGE_SIZE);
    let (rw, rw_size) = layout.rw;
    let heap_top = u64::from(layout.heap.0) + u64::from(heap_size);
    let heap_end = heap_top.div_ceil(u64::from(PAGE_SIZE)) * u64::from(PAGE_SIZE);
    let rw_end = heap_end.max(u64::from(rw) + u64::from(rw_size)) + u64::from(PAGE_SIZE);
    let capped = rw_end.min(u64::from(rw) + u64::from(MAX_HEAP_PAGES * PAGE_SIZE));
    range(rw, capped as u32);
    if capped < rw_end {
        // The pages around the heap top.
        range((rw_end - 3 * u64::from(PAGE_SIZE)) as u32, rw_end as u32);
    }
    // The stack's own pages are not read from the host side: polkavm 0.37's
    // `read_memory` of stack pages underflows once the guest has touched the low end of
    // the stack (`stack_size - stack.len()` in `StandardMemory::read_memory_into`: a
    // panic in debug builds, wrong bytes in release). Stack contents are still compared
    // through the guest's own loads; here only the unmapped pages around it are checked.
    let (low, high) = layout.stack;
    range(low - PAGE_SIZE, low);
    range(high, high + PAGE_SIZE);
    pages
}

/// A value as a register holds it: 32-bit programs keep sign-extended 32-bit values
/// (the reference asserts this in debug builds).
fn register_value(is_64_bit: bool, value: u64) -> u64 {
    if is_64_bit {
        value
    } else {
        value as u32 as i32 as i64 as u64
    }
}

/// Calls the export and answers every interrupt with the shared host behaviour.
fn drive(vm: &mut dyn Vm, layout: Layout, gas: i64) -> Trace {
    let mut events = Vec::new();
    let mut refuels = 0;
    vm.set_gas(gas);
    loop {
        let kind = vm.run();
        let mask = if vm.is_64_bit() { u64::MAX } else { 0xffff_ffff };
        let regs = core::array::from_fn(|i| vm.reg(i) & mask);
        let (pc, next_pc) = match kind {
            EventKind::Finished | EventKind::Error(_) => (None, None),
            EventKind::Trap | EventKind::PageFault(_) => (vm.pc(), None),
            EventKind::Ecalli(_) | EventKind::NotEnoughGas => (vm.pc(), vm.next_pc()),
        };
        let fault_address = if kind == EventKind::Trap { vm.fault_address() } else { None };
        events.push(Event { kind: kind.clone(), pc, next_pc, regs, gas: vm.gas(), fault_address });
        if events.len() >= MAX_EVENTS {
            break;
        }
        match kind {
            EventKind::Ecalli(n) => {
                // a0 = n * 7 + a1, and a fixed gas charge (which may go negative).
                let a0 = u64::from(n).wrapping_mul(7).wrapping_add(vm.reg(8));
                vm.set_reg(7, register_value(vm.is_64_bit(), a0));
                vm.set_gas(vm.gas() - ECALLI_GAS);
            }
            EventKind::NotEnoughGas if refuels < MAX_REFUELS => {
                refuels += 1;
                vm.set_gas(vm.gas() + REFUEL_GAS);
            }
            _ => break,
        }
    }
    let heap_size = vm.heap_size();
    let memory = pages_to_compare(&layout, heap_size).into_iter().map(|page| (page, vm.read_page(page))).collect();
    Trace { loaded: Ok(layout), events, memory, heap_size }
}

fn rejected(why: String) -> Trace {
    Trace { loaded: Err(why), events: Vec::new(), memory: Vec::new(), heap_size: 0 }
}

/// Runs `blob` on `pvm`'s interpreter.
pub fn run_pvm(blob: &[u8], args: &[u64], gas: i64) -> Trace {
    run_pvm_on(pvm::Backend::Interpreter, blob, args, gas)
}

/// Runs `blob` on one of `pvm`'s backends.
pub fn run_pvm_on(backend: pvm::Backend, blob: &[u8], args: &[u64], gas: i64) -> Trace {
    run_pvm_export(backend, blob, None, args, gas)
}

/// Runs the export called `export` of `blob` (the first export if `None`) on one of
/// `pvm`'s backends.
pub fn run_pvm_export(backend: pvm::Backend, blob: &[u8], export: Option<&str>, args: &[u64], gas: i64) -> Trace {
    run_pvm_with(backend, false, blob, export, args, gas)
}

/// Like [`run_pvm_export`]; `warm` translates the whole program before it runs (the
/// interpreter otherwise translates a block when it first reaches it).
pub fn run_pvm_with(
    backend: pvm::Backend,
    warm: bool,
    blob: &[u8],
    export: Option<&str>,
    args: &[u64],
    gas: i64,
) -> Trace {
    let engine = match pvm::Engine::new(&pvm::Config { backend }) {
        Ok(engine) => engine,
        Err(error) => return rejected(error.to_string()),
    };
    let module = match pvm::Module::new(&engine, &pvm::ModuleConfig::default(), blob) {
        Ok(module) => module,
        Err(error) => return rejected(error.to_string()),
    };
    let map = module.memory_map();
    let export_pc = match export {
        Some(name) => match module.export(name) {
            Some(export) => Some(export.pc),
            None => return rejected(format!("pvm: the blob has no export `{name}`")),
        },
        None => module.exports().first().map(|export| export.pc),
    };
    let layout = Layout {
        ro: (map.ro_data_address(), map.ro_data_size),
        rw: (map.rw_data_address, map.rw_data_size),
        stack: (map.stack_address_low(), map.stack_address_high),
        heap: (map.heap_base, map.max_heap_size),
        export_pc,
    };
    let mut instance = module.instantiate();
    if warm {
        instance.translate_all();
    }
    let Some(pc) = export_pc else {
        return Trace { loaded: Ok(layout), events: Vec::new(), memory: Vec::new(), heap_size: 0 };
    };
    let is_64_bit = module.isa().is_64_bit();
    let args: Vec<u64> = args.iter().take(6).map(|&value| register_value(is_64_bit, value)).collect();
    if let Err(error) = instance.prepare_call(pc, &args) {
        return rejected(format!("prepare_call failed: {error}"));
    }
    drive(&mut instance, layout, gas)
}

/// Which of polkavm's backends runs the reference.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ReferenceBackend {
    /// polkavm's interpreter: the reference every comparison uses.
    Interpreter,
    /// polkavm's x86-64 compiler (Linux sandbox): consulted to tell which side is
    /// right where the interpreter is known to be wrong (see [`ReferenceBug`]).
    Compiler,
}

/// The reference engine for `backend`, or `None` where that backend cannot run here.
fn reference_engine(backend: ReferenceBackend) -> Option<&'static polkavm::Engine> {
    static INTERPRETER: OnceLock<Option<polkavm::Engine>> = OnceLock::new();
    static COMPILER: OnceLock<Option<polkavm::Engine>> = OnceLock::new();
    let (cell, kind) = match backend {
        ReferenceBackend::Interpreter => (&INTERPRETER, polkavm::BackendKind::Interpreter),
        ReferenceBackend::Compiler => (&COMPILER, polkavm::BackendKind::Compiler),
    };
    cell.get_or_init(|| {
        let mut config = polkavm::Config::new();
        config.set_backend(Some(kind));
        config.set_cache_enabled(false);
        config.set_allow_experimental(true);
        polkavm::Engine::new(&config).ok()
    })
    .as_ref()
}

/// Whether polkavm's compiler backend runs on this machine (x86-64 Linux with the
/// sandbox it needs).
pub fn reference_compiler_available() -> bool {
    reference_engine(ReferenceBackend::Compiler).is_some()
}

/// The most memory the reference interpreter may allocate for one program's guest
/// memory. It grows its buffers to the highest address touched (rounded up to a power
/// of two), so a program that stores high in a large heap would otherwise make it
/// allocate gigabytes (and the fuzzer stop on out-of-memory). Past the limit the
/// reference traps; [`check`] counts such runs as [`Verdict::Skipped`].
pub const REFERENCE_MEMORY_LIMIT: usize = 32 << 20;

/// Runs `blob` on the reference (polkavm 0.37's interpreter).
pub fn run_reference(blob: &[u8], args: &[u64], gas: i64) -> Trace {
    run_reference_on(ReferenceBackend::Interpreter, blob, args, gas)
}

/// Runs `blob` on one of polkavm 0.37's backends.
pub fn run_reference_on(backend: ReferenceBackend, blob: &[u8], args: &[u64], gas: i64) -> Trace {
    run_reference_export(backend, blob, None, args, gas)
}

/// Runs the export called `export` of `blob` (the first export if `None`) on one of
/// polkavm 0.37's backends.
pub fn run_reference_export(
    backend: ReferenceBackend,
    blob: &[u8],
    export: Option<&str>,
    args: &[u64],
    gas: i64,
) -> Trace {
    let Some(engine) = reference_engine(backend) else {
        return rejected(format!("polkavm's {backend:?} backend is not available on this machine"));
    };
    let mut config = polkavm::ModuleConfig::new();
    config.set_page_size(PAGE_SIZE);
    config.set_gas_metering(Some(polkavm::GasMeteringKind::Sync));
    let module = match polkavm::Module::new(engine, &config, blob.to_vec().into()) {
        Ok(module) => module,
        Err(error) => return rejected(error.to_string()),
    };
    let map = module.memory_map();
    let mut exports = module.exports();
    let export_pc = match export {
        Some(name) => match exports.find(|export| export.symbol().as_bytes() == name.as_bytes()) {
            Some(export) => Some(export.program_counter().0),
            None => return rejected(format!("polkavm: the blob has no export `{name}`")),
        },
        None => exports.next().map(|export| export.program_counter().0),
    };
    let layout = Layout {
        ro: (map.ro_data_address(), map.ro_data_size()),
        rw: (map.rw_data_address(), map.rw_data_size()),
        stack: (map.stack_address_low(), map.stack_address_high()),
        heap: (map.heap_base(), map.max_heap_size()),
        export_pc,
    };
    let mut instance = match module.instantiate() {
        Ok(instance) => instance,
        Err(error) => return rejected(format!("instantiate failed: {error}")),
    };
    instance.set_interpreter_guest_memory_limit(Some(REFERENCE_MEMORY_LIMIT));
    let Some(pc) = export_pc else {
        return Trace { loaded: Ok(layout), events: Vec::new(), memory: Vec::new(), heap_size: 0 };
    };
    let is_64_bit = module.is_64_bit();
    let args: Vec<u64> = args.iter().take(6).map(|&value| register_value(is_64_bit, value)).collect();
    instance.prepare_call_untyped(polkavm::ProgramCounter(pc), &args);
    drive(&mut instance, layout, gas)
}

/// Runs `blob` on both VMs: `(pvm, reference)`. Fails only if the reference panics.
pub fn run_both(blob: &[u8], args: &[u64], gas: i64) -> Result<(Trace, Trace), String> {
    run_both_export(blob, None, args, gas)
}

/// [`run_both`] for the export called `export` (the first export if `None`).
fn run_both_export(blob: &[u8], export: Option<&str>, args: &[u64], gas: i64) -> Result<(Trace, Trace), String> {
    let ours = run_pvm_export(pvm::Backend::Interpreter, blob, export, args, gas);
    let reference =
        catch_unwind(AssertUnwindSafe(|| run_reference_export(ReferenceBackend::Interpreter, blob, export, args, gas)))
            .map_err(|panic| {
                let message = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                format!("the reference (polkavm) panicked: {message}")
            })?;
    Ok((ours, reference))
}

/// Whether a rejection by `pvm` alone is one of the documented intentional differences.
fn is_intentional_rejection(why: &str) -> bool {
    why.contains("not the start of an instruction")
}

/// The outcome of a comparison that found no divergence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Both VMs behaved identically.
    Same,
    /// The reference panicked (debug assertions in polkavm 0.37's interpreter, e.g.
    /// `memset` on a 32-bit program leaving a zero-extended address above 2 GiB in a0,
    /// or a host-side stack read), so there is nothing to compare against.
    Inconclusive(String),
    /// The runs agree up to where the reference ran out of the memory it may allocate
    /// ([`REFERENCE_MEMORY_LIMIT`]) for a program whose heap is that large.
    Skipped(String),
    /// The runs agree up to a documented bug of the reference (where pvm follows the
    /// memory map rules and, where it runs here, polkavm's own compiler backend).
    ReferenceBug(ReferenceBug),
}

/// Known bugs of polkavm 0.37's interpreter that pvm deliberately does not copy.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ReferenceBug {
    /// **Accesses just below the stack succeed once the stack has grown.** The
    /// interpreter keeps the touched part of the stack in a buffer whose size it rounds
    /// up to a power of two (`StandardMemory::stack_resize`), and its fast path accepts
    /// any address at or above the buffer's start (`stack_address_low_resident`), which
    /// can lie below the stack's low address when the stack size is not a power of two.
    /// A load or store there then succeeds instead of trapping. The memory map (and
    /// the JAM specification's) puts nothing below the stack's low address but an
    /// inaccessible guard, pvm traps, and so does polkavm's compiler backend.
    StackAccessBelowTheLowAddress {
        /// The inaccessible address pvm trapped on.
        address: u32,
        /// Whether polkavm's compiler backend was run on the program and agreed with
        /// pvm up to and including the trap (it is not available on every machine).
        confirmed_by_compiler: bool,
    },
    /// **`memset` leaves a zero-extended address on 32-bit instruction sets.** Every
    /// other 32-bit instruction leaves its result sign-extended in the 64-bit register
    /// (`set_i32`), and most read only the low 32 bits; but `memset` writes its end
    /// address back with `set_u64` (a debug assertion of polkavm's own fails there), and
    /// the signed comparisons (`set_less_than_signed`, `set_less_than_signed_imm`,
    /// `set_greater_than_signed_imm`, the signed branches) compare all 64 bits. So
    /// after a `memset` that ends above 2 GiB (in the stack), `a0 <s 2` is false on the
    /// interpreter, while `maximum a0, 0` (a 32-bit comparison) treats a0 as negative.
    /// pvm keeps registers sign-extended and is consistent; polkavm's compiler backend
    /// agrees with pvm. Only classified when the compiler runs here and agrees.
    MemsetLeavesZeroExtendedAddress,
}

/// Runs `blob` on both VMs and describes the first divergence, if any. A run where the
/// reference panics counts as no divergence (see [`check`]).
pub fn compare(blob: &[u8], args: &[u64], gas: i64) -> Result<(), String> {
    check(blob, args, gas).map(|_| ())
}

/// Like [`compare`], but tells apart the runs that were not fully compared (see
/// [`Verdict`]).
pub fn check(blob: &[u8], args: &[u64], gas: i64) -> Result<Verdict, String> {
    check_export(blob, None, args, gas).map(|(verdict, _)| verdict)
}

/// [`check`] for the export called `export` (the first export if `None`), e.g. of a
/// real guest program. Also returns pvm's trace (its interpreter's), whose last event
/// has the results in `a0` and `a1` and the gas left.
pub fn check_export(blob: &[u8], export: Option<&str>, args: &[u64], gas: i64) -> Result<(Verdict, Trace), String> {
    let (ours, reference) = match run_both_export(blob, export, args, gas) {
        Ok(traces) => traces,
        Err(why) => {
            let ours = run_pvm_export(pvm::Backend::Interpreter, blob, export, args, gas);
            return Ok((Verdict::Inconclusive(why), ours));
        }
    };
    check_traces(blob, export, args, gas, &ours, reference).map(|verdict| (verdict, ours))
}

/// Compares pvm's trace (`ours`) with the reference's, and with pvm's other backends.
fn check_traces(
    blob: &[u8],
    export: Option<&str>,
    args: &[u64],
    gas: i64,
    ours: &Trace,
    reference: Trace,
) -> Result<Verdict, String> {
    // The interpreter translates code when it first reaches it: translating all of it
    // first must not change anything.
    let warm = run_pvm_with(pvm::Backend::Interpreter, true, blob, export, args, gas);
    if warm != *ours {
        let difference = first_difference(&warm, ours).unwrap_or_else(|| "the traces differ".into());
        return Err(format!(
            "pvm's interpreter differs when the code is translated before it runs (shown as pvm) from when it is \
             translated as it runs (shown as the reference): {difference}\n{}",
            disassemble(blob, &warm, ours)
        ));
    }
    // Every other backend of pvm must agree with its interpreter exactly.
    for &backend in pvm::Backend::available().iter().filter(|&&backend| backend != pvm::Backend::Interpreter) {
        let other = run_pvm_export(backend, blob, export, args, gas);
        if other != *ours {
            let difference = first_difference(&other, ours).unwrap_or_else(|| "the traces differ".into());
            return Err(format!(
                "pvm's {backend} backend differs from its interpreter (shown as the reference): {difference}\n{}",
                disassemble(blob, &other, ours)
            ));
        }
    }
    let Some(difference) = first_difference(ours, &reference) else {
        return Ok(Verdict::Same);
    };
    if let Some(verdict) = explained_difference(blob, export, args, gas, ours, &reference) {
        return Ok(verdict);
    }
    let export = export.map_or_else(String::new, |export| format!("export: {export}, "));
    Err(format!("{difference}\n{export}args: {args:x?}, gas: {gas}\n{}", disassemble(blob, ours, &reference)))
}

/// Whether `blob` is a 32-bit program that uses `memset` (false if it does not parse).
fn is_64_bit_with_memset(blob: &[u8]) -> bool {
    let Ok(parsed) = pvm::program::ProgramBlob::parse(blob) else {
        return true;
    };
    let code = pvm::program::Code::decode(parsed.isa, &parsed.code);
    parsed.isa.is_64_bit() || !code.instructions().iter().any(|i| i.opcode == Some(pvm::isa::Opcode::Memset))
}

/// Whether polkavm's compiler backend runs here and agrees with pvm's trace on every
/// stop up to and including `events[last]`: kinds, registers and gas, and the pc of a
/// trap. (The compiler reports an out-of-gas stop inside `memset` at its block's
/// start, so the pcs of other stops are not compared.)
fn compiler_agrees(blob: &[u8], export: Option<&str>, args: &[u64], gas: i64, ours: &Trace, last: usize) -> bool {
    compiler_agrees_on(blob, export, args, gas, ours, last, true)
}

/// As [`compiler_agrees`]; without `registers`, only the kind, pc and gas of each
/// event count.
fn compiler_agrees_on(
    blob: &[u8],
    export: Option<&str>,
    args: &[u64],
    gas: i64,
    ours: &Trace,
    last: usize,
    registers: bool,
) -> bool {
    if !reference_compiler_available() {
        return false;
    }
    let compiled =
        catch_unwind(AssertUnwindSafe(|| run_reference_export(ReferenceBackend::Compiler, blob, export, args, gas)));
    let Ok(Trace { loaded: Ok(_), events, heap_size, .. }) = compiled else {
        return false;
    };
    // With the registers, the whole run counts: its heap too (a run whose events agree
    // may still grow the heap differently, e.g. by a register that is overwritten later).
    let heap_agrees = !registers || last + 1 < ours.events.len() || heap_size == ours.heap_size;
    heap_agrees
        && events.len() > last
        && ours.events[..=last]
            .iter()
            .zip(&events)
            .all(|(a, b)| (&a.kind, a.gas) == (&b.kind, b.gas) && (!registers || a.regs == b.regs))
        && (ours.events[last].kind != EventKind::Trap || events[last].pc == ours.events[last].pc)
}

/// The first event at which the traces differ (compared as [`first_difference`] does).
fn first_differing_event(ours: &Trace, reference: &Trace) -> Option<usize> {
    let same = |a: &Event, b: &Event| Event { pc: b.pc.and(a.pc), fault_address: None, ..a.clone() } == *b;
    let common = ours.events.len().min(reference.events.len());
    (0..common).find(|&i| !same(&ours.events[i], &reference.events[i])).or_else(|| {
        // One trace is a prefix of the other.
        (ours.events.len() != reference.events.len()).then_some(common)
    })
}

/// Whether a difference between the traces is one of the documented exceptions: a
/// reference bug or the reference's memory limit.
fn explained_difference(
    blob: &[u8],
    export: Option<&str>,
    args: &[u64],
    gas: i64,
    ours: &Trace,
    reference: &Trace,
) -> Option<Verdict> {
    // The events may all agree while the heap differs: a register the reference got
    // wrong fed `sbrk` and was overwritten afterwards. Only the `memset` bug explains it.
    let Some(index) = first_differing_event(ours, reference) else {
        let memset_bug = !is_64_bit_with_memset(blob)
            && !ours.events.is_empty()
            && compiler_agrees(blob, export, args, gas, ours, ours.events.len() - 1);
        return memset_bug.then_some(Verdict::ReferenceBug(ReferenceBug::MemsetLeavesZeroExtendedAddress));
    };
    let event = ours.events.get(index)?;
    let layout = ours.loaded.as_ref().ok()?;
    let theirs = reference.events.get(index);
    // The reference may have run out of its memory limit: it trapped where the traces
    // part, in a program whose heap is at least half the limit (the reference rounds
    // up to a power of two).
    if theirs.is_some_and(|theirs| theirs.kind == EventKind::Trap)
        && ours.heap_size as usize >= REFERENCE_MEMORY_LIMIT / 2
    {
        return Some(Verdict::Skipped(format!("a heap of {:#x} bytes", ours.heap_size)));
    }
    if let Some(address) = stack_access_below_the_low_address(layout, event, theirs) {
        // Ask polkavm's compiler backend, where it runs here: it must stop where pvm
        // does, with the same gas, up to and including the trap. (Not the registers:
        // polkavm's compiler has divergences of its own that may show in them; the one
        // a fuzzer found is the value of `sbrk` with a size above 2^32 on 64-bit
        // instruction sets, the heap top minus one where polkavm's interpreter and pvm
        // return the heap top.)
        let confirmed_by_compiler = match reference_compiler_available() {
            true if compiler_agrees_on(blob, export, args, gas, ours, index, false) => true,
            true => return None,
            false => false,
        };
        return Some(Verdict::ReferenceBug(ReferenceBug::StackAccessBelowTheLowAddress {
            address,
            confirmed_by_compiler,
        }));
    }
    if !is_64_bit_with_memset(blob) && compiler_agrees(blob, export, args, gas, ours, ours.events.len() - 1) {
        return Some(Verdict::ReferenceBug(ReferenceBug::MemsetLeavesZeroExtendedAddress));
    }
    None
}

/// The address, if pvm trapped (and the reference did not, there) on an access below
/// the stack where the reference's resident stack buffer may reach.
fn stack_access_below_the_low_address(layout: &Layout, event: &Event, theirs: Option<&Event>) -> Option<u32> {
    // The reference not trapping there, or (a `memset` that it let write below the
    // stack) trapping there later, with other registers.
    if event.kind != EventKind::Trap
        || theirs
            .is_some_and(|theirs| theirs.kind == EventKind::Trap && theirs.pc == event.pc && theirs.regs == event.regs)
    {
        return None;
    }
    let address = event.fault_address?;
    let (low, high) = layout.stack;
    let resident_max = (u64::from(high - low)).next_power_of_two().max(u64::from(PAGE_SIZE));
    let resident_low = u64::from(high).saturating_sub(resident_max);
    (resident_low..u64::from(low)).contains(&u64::from(address)).then_some(address)
}

fn first_difference(ours: &Trace, reference: &Trace) -> Option<String> {
    match (&ours.loaded, &reference.loaded) {
        (Err(_), Err(_)) => return None,
        (Err(why), Ok(_)) if is_intentional_rejection(why) => return None,
        (Err(why), Ok(_)) => return Some(format!("pvm rejects the blob but the reference accepts it: {why}")),
        (Ok(_), Err(why)) => return Some(format!("pvm accepts the blob but the reference rejects it: {why}")),
        (Ok(a), Ok(b)) if a != b => return Some(format!("layouts differ:\n  pvm:       {a:x?}\n  reference: {b:x?}")),
        _ => {}
    }
    for (index, pair) in ours.events.iter().zip(&reference.events).enumerate() {
        // pvm's `program_counter` is a plain `u32`: where the reference has no pc (out of
        // gas before the first instruction ran), pvm's value is not compared.
        let ours_event = Event { pc: pair.1.pc.and(pair.0.pc), fault_address: None, ..pair.0.clone() };
        if ours_event != *pair.1 {
            let mut text = format!("event #{index} differs:\n  pvm:       {}\n  reference: {}", pair.0, pair.1);
            if index > 0 {
                write!(text, "\n  previous:  {}", reference.events[index - 1]).unwrap();
            }
            return Some(text);
        }
    }
    if ours.events.len() != reference.events.len() {
        return Some(format!(
            "event counts differ: pvm {} vs reference {}; last events:\n  pvm:       {:?}\n  reference: {:?}",
            ours.events.len(),
            reference.events.len(),
            ours.events.last().map(Event::to_string),
            reference.events.last().map(Event::to_string)
        ));
    }
    if ours.heap_size != reference.heap_size {
        return Some(format!("heap sizes differ: pvm {:#x} vs reference {:#x}", ours.heap_size, reference.heap_size));
    }
    for ((address, a), (_, b)) in ours.memory.iter().zip(&reference.memory) {
        match (a, b) {
            (Some(a), Some(b)) if a != b => {
                let offset = a.iter().zip(b).position(|(x, y)| x != y).unwrap_or(0);
                let end = (offset + 16).min(a.len());
                return Some(format!(
                    "memory differs at {:#x}:\n  pvm:       {:02x?}\n  reference: {:02x?}",
                    address + offset as u32,
                    &a[offset..end],
                    &b[offset..end]
                ));
            }
            (Some(_), None) | (None, Some(_)) => {
                return Some(format!(
                    "page {address:#x} is {} on pvm but {} on the reference",
                    if a.is_some() { "readable" } else { "unreadable" },
                    if b.is_some() { "readable" } else { "unreadable" }
                ));
            }
            _ => {}
        }
    }
    None
}

impl std::fmt::Display for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?} pc={:?} next_pc={:?} gas={} regs=[", self.kind, self.pc, self.next_pc, self.gas)?;
        for (i, (reg, value)) in Reg::ALL.iter().zip(self.regs).enumerate() {
            let sep = if i == 0 { "" } else { " " };
            write!(f, "{sep}{reg}={value:#x}")?;
        }
        f.write_str("]")
    }
}

/// A side-by-side listing: pc, the reference's decoding, and pvm's decoding (`|` marks
/// basic-block starts in pvm's view).
pub fn disassemble(blob: &[u8], ours: &Trace, reference: &Trace) -> String {
    let mut out = String::new();
    let mut pvm_listing = BTreeMap::new();
    if let Ok(parsed) = pvm::program::ProgramBlob::parse(blob) {
        writeln!(
            out,
            "isa: {}, ro {:#x}, rw {:#x}, stack {:#x}, jump table {:?}",
            parsed.isa, parsed.ro_data_size, parsed.rw_data_size, parsed.stack_size, parsed.code.jump_table
        )
        .unwrap();
        let code = pvm::program::Code::decode(parsed.isa, &parsed.code);
        for (index, instruction) in code.instructions().iter().enumerate() {
            let marker = if code.is_block_start(index) { "|" } else { " " };
            pvm_listing.insert(instruction.pc, format!("{marker} {}", pvm::program::Disassembly(instruction)));
        }
    }
    let mut reference_listing = BTreeMap::new();
    if let Ok(parsed) = polkavm::ProgramBlob::parse(blob.to_vec().into()) {
        let mut format = polkavm_common::program::InstructionFormat::default();
        format.is_64_bit = parsed.is_64_bit();
        for instruction in parsed.instructions() {
            reference_listing.insert(instruction.offset.0, instruction.kind.display(&format).to_string());
        }
    }
    let pcs: std::collections::BTreeSet<u32> = pvm_listing.keys().chain(reference_listing.keys()).copied().collect();
    writeln!(out, "{:>6}  {:<44} pvm", "pc", "reference").unwrap();
    for pc in pcs {
        let theirs = reference_listing.get(&pc).map_or("", String::as_str);
        let mine = pvm_listing.get(&pc).map_or("", String::as_str);
        writeln!(out, "{pc:>6}  {theirs:<44} {mine}").unwrap();
    }
    writeln!(out, "pvm events:").unwrap();
    for event in &ours.events {
        writeln!(out, "  {event}").unwrap();
    }
    writeln!(out, "reference events:").unwrap();
    for event in &reference.events {
        writeln!(out, "  {event}").unwrap();
    }
    out
}

/// A deterministic byte stream (xorshift64*) for seeded runs.
pub fn seeded_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        out.extend_from_slice(&state.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes());
    }
    out.truncate(len);
    out
}

/// Generates the program for `seed` (from [`seeded_bytes`]).
pub fn seeded_program(seed: u64) -> Program {
    let bytes = seeded_bytes(seed, 4096);
    generate(&mut Unstructured::new(&bytes)).expect("the generator does not fail")
}
