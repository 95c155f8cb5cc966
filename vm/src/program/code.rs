//! Decoding of the code section into a linear list of instructions with their
//! basic-block structure. The result is backend-neutral: the interpreter, the gas
//! planner, the disassembler and (later) the recompiler all start from it.

use alloc::vec::Vec;
use core::fmt;

use super::blob::RawCode;
use crate::isa::{tables, InstructionSet, Opcode, Reg, Shape};

/// Macro-block size of the extended encoding: no instruction straddles a multiple of it.
pub const EXTENDED_BLOCK_SIZE: usize = 1024;

/// Largest distance between two bitmask bits that still makes one instruction.
pub(super) const BITMASK_MAX_SKIP: usize = 24;

/// An instruction's decoded operands. Which fields are meaningful depends on the
/// opcode's [`Shape`]; pc-relative offsets are already resolved to absolute targets.
#[derive(Copy, Clone, PartialEq, Eq, Debug, Default)]
pub struct Args {
    /// Register operands, in the order the reference's visitor lists them.
    pub regs: [u8; 3],
    /// First immediate (sign-extended to 32 bits), or the low half of `load_imm64`'s.
    pub imm1: u32,
    /// Second immediate / absolute branch target, or the high half of `load_imm64`'s.
    pub imm2: u32,
}

impl Args {
    /// Register operand `n`.
    #[inline]
    pub fn reg(&self, n: usize) -> Reg {
        Reg::from_nibble(self.regs[n])
    }

    /// The 64-bit immediate of `load_imm64`.
    #[inline]
    pub fn imm64(&self) -> u64 {
        u64::from(self.imm1) | (u64::from(self.imm2) << 32)
    }
}

/// One decoded instruction.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub struct Instruction {
    /// Its offset in the code.
    pub pc: u32,
    /// Its encoded length in bytes (the distance to the next instruction).
    pub len: u32,
    /// `None` for bytes that are not a valid instruction of the instruction set; they trap.
    pub opcode: Option<Opcode>,
    /// Decoded operands.
    pub args: Args,
}

impl Instruction {
    /// The offset of the next instruction.
    #[inline]
    pub fn next_pc(&self) -> u32 {
        self.pc + self.len
    }

    /// Whether this instruction ends a basic block. Invalid instructions do.
    #[inline]
    pub fn ends_basic_block(&self) -> bool {
        self.opcode.is_none_or(Opcode::ends_basic_block)
    }
}

/// The decoded code of a program: instructions in pc order, which of them start a
/// basic block, and the jump table.
#[derive(Clone, Debug)]
pub struct Code {
    isa: InstructionSet,
    instructions: Vec<Instruction>,
    /// The pc of each instruction: a compact copy for fast lookups by pc.
    starts: Vec<u32>,
    block_starts: Vec<bool>,
    jump_table: Vec<u32>,
    code_len: u32,
}

impl Code {
    /// Decodes a raw code section for `isa`. Never fails: undecodable bytes become
    /// invalid instructions that trap when executed, exactly as in the reference.
    pub fn decode(isa: InstructionSet, raw: &RawCode) -> Code {
        let mut instructions = Vec::new();
        walk(isa, raw, |slot| instructions.push(slot.decode(&raw.code)));
        let mut block_starts = Vec::with_capacity(instructions.len());
        let mut previous_ends_block = true;
        for instruction in &instructions {
            block_starts.push(previous_ends_block);
            previous_ends_block = instruction.ends_basic_block();
        }
        let starts = instructions.iter().map(|i| i.pc).collect();
        Code {
            isa,
            instructions,
            starts,
            block_starts,
            jump_table: raw.jump_table.clone(),
            code_len: raw.code.len() as u32,
        }
    }

    /// The instruction set.
    pub fn isa(&self) -> InstructionSet {
        self.isa
    }

    /// All instructions, in pc order.
    pub fn instructions(&self) -> &[Instruction] {
        &self.instructions
    }

    /// Whether instruction `index` starts a basic block.
    pub fn is_block_start(&self, index: usize) -> bool {
        self.block_starts.get(index).copied().unwrap_or(false)
    }

    /// The jump table (code offsets).
    pub fn jump_table(&self) -> &[u32] {
        &self.jump_table
    }

    /// The code's length in bytes.
    pub fn code_len(&self) -> u32 {
        self.code_len
    }

    /// The index of the instruction starting at `pc`, if one does.
    pub fn index_of(&self, pc: u32) -> Option<usize> {
        self.starts.binary_search(&pc).ok()
    }

    /// The index of the instruction at `pc` if it is a valid jump target: an
    /// instruction start that begins a basic block.
    pub fn jump_target(&self, pc: u32) -> Option<usize> {
        self.index_of(pc).filter(|&index| self.block_starts[index])
    }

    /// The index of the first instruction of the basic block containing instruction `index`.
    pub fn block_start_of(&self, mut index: usize) -> usize {
        while index > 0 && !self.block_starts[index] {
            index -= 1;
        }
        index
    }
}

/// Reads `count` (0..=4) little-endian bytes at `position` and sign-extends them.
/// Every operand ends within the first 10 bytes of the window, so the four bytes at
/// `position` are always there: a fixed-size load, then the unused bytes shifted out.
#[inline]
fn read_imm(window: &[u8; 16], position: usize, count: usize) -> u32 {
    let bytes: [u8; 4] = window[position..position + 4].try_into().expect("four bytes");
    let value = u32::from_le_bytes(bytes);
    if count == 0 {
        return 0;
    }
    let shift = 32 - 8 * count as u32;
    (((value << shift) as i32) >> shift) as u32
}

/// Decodes operands of `shape` from the bytes after the opcode. `skip` is the number
/// of argument bytes the instruction has; like the reference, fields may read past it
/// (into the following bytes) where the encoding says so.
pub(crate) fn decode_args(shape: Shape, window: &[u8; 16], skip: usize, pc: u32) -> Args {
    let b0 = window[0];
    let low = b0 & 0xf;
    let high = b0 >> 4;
    let rest = |used: usize| skip.saturating_sub(used).min(4);
    match shape {
        Shape::None => Args::default(),
        Shape::Imm => Args { imm1: read_imm(window, 0, skip.min(4)), ..Args::default() },
        Shape::Offset => Args { imm1: pc.wrapping_add(read_imm(window, 0, skip.min(4))), ..Args::default() },
        Shape::RegImm => Args { regs: [low, 0, 0], imm1: read_imm(window, 1, rest(1)), ..Args::default() },
        Shape::RegImmOffset | Shape::RegImmImm => {
            let first_len = usize::from(high & 7).min(4);
            let imm1 = read_imm(window, 1, first_len);
            let imm2 = read_imm(window, 1 + first_len, rest(first_len + 1));
            let imm2 = if shape == Shape::RegImmOffset { pc.wrapping_add(imm2) } else { imm2 };
            Args { regs: [low, 0, 0], imm1, imm2 }
        }
        Shape::RegRegImm => Args { regs: [low, high, 0], imm1: read_imm(window, 1, rest(1)), ..Args::default() },
        Shape::RegRegOffset => {
            Args { regs: [low, high, 0], imm1: pc.wrapping_add(read_imm(window, 1, rest(1))), ..Args::default() }
        }
        // Destination in the second byte, sources in the first (low, high).
        Shape::RegRegReg => Args { regs: [window[1] & 0xf, low, high], ..Args::default() },
        Shape::ImmImm => {
            let first_len = usize::from(b0 & 7).min(4);
            Args {
                imm1: read_imm(window, 1, first_len),
                imm2: read_imm(window, 1 + first_len, rest(first_len + 1)),
                ..Args::default()
            }
        }
        Shape::RegReg => Args { regs: [low, high, 0], ..Args::default() },
        Shape::RegRegImmImm => {
            let first_len = usize::from(window[1] & 7).min(4);
            Args {
                regs: [low, high, 0],
                imm1: read_imm(window, 2, first_len),
                imm2: read_imm(window, 2 + first_len, rest(first_len + 2)),
            }
        }
        Shape::RegImm64 => {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(&window[1..9]);
            let value = u64::from_le_bytes(bytes);
            Args { regs: [low, 0, 0], imm1: value as u32, imm2: (value >> 32) as u32 }
        }
    }
}

/// The 16 bytes starting at `offset`, zero-padded past the end of the code.
#[inline]
fn window_at(code: &[u8], offset: usize) -> [u8; 16] {
    if let Some(bytes) = code.get(offset..offset + 16) {
        return bytes.try_into().expect("sixteen bytes");
    }
    let mut window = [0u8; 16];
    if let Some(bytes) = code.get(offset..) {
        let n = bytes.len().min(16);
        window[..n].copy_from_slice(&bytes[..n]);
    }
    window
}

#[inline]
pub(super) fn bit(bitmask: &[u8], offset: usize) -> bool {
    bitmask.get(offset >> 3).is_some_and(|byte| byte >> (offset & 7) & 1 == 1)
}

/// The next set bit strictly after `offset`, or `code_len` if there is none.
pub(super) fn next_set_bit(bitmask: &[u8], code_len: usize, offset: usize) -> usize {
    let mut position = offset + 1;
    while position < code_len {
        let byte = bitmask[position >> 3] >> (position & 7);
        if byte != 0 {
            return (position + byte.trailing_zeros() as usize).min(code_len);
        }
        position = (position | 7) + 1;
    }
    code_len
}

/// One instruction as the encoding lays it out, before its operands are decoded.
#[derive(Copy, Clone, Debug)]
pub(super) struct Slot {
    pc: usize,
    len: usize,
    /// `None` for bytes that are not a valid instruction.
    opcode: Option<Opcode>,
    /// Where the operand bytes start, and how many the instruction has.
    args_at: usize,
    args_len: usize,
}

impl Slot {
    pub(super) fn invalid(pc: usize, len: usize) -> Slot {
        Slot { pc, len, opcode: None, args_at: pc, args_len: 0 }
    }

    fn ends_basic_block(&self) -> bool {
        self.opcode.is_none_or(Opcode::ends_basic_block)
    }

    pub(super) fn decode(self, code: &[u8]) -> Instruction {
        let args = self.opcode.map_or(Args::default(), |op| {
            decode_args(op.shape(), &window_at(code, self.args_at), self.args_len, self.pc as u32)
        });
        Instruction { pc: self.pc as u32, len: self.len as u32, opcode: self.opcode, args }
    }
}

/// Bitmask encoding: the instruction at `offset`, whose bit is set.
#[inline(always)]
pub(super) fn legacy_slot(isa: InstructionSet, code: &[u8], bitmask: &[u8], offset: usize) -> Slot {
    let next = next_set_bit(bitmask, code.len(), offset);
    let skip = (next - offset - 1).min(BITMASK_MAX_SKIP);
    Slot { pc: offset, len: skip + 1, opcode: isa.legacy_opcode(code[offset]), args_at: offset + 1, args_len: skip }
}

/// Bitmask encoding: an instruction runs from its set bit to the next one, but at
/// most 25 bytes; bytes beyond that (up to the next set bit) form an invalid
/// instruction, as does a code start without a set bit.
#[inline(always)]
fn walk_legacy(isa: InstructionSet, code: &[u8], bitmask: &[u8], mut visit: impl FnMut(Slot)) {
    let len = code.len();
    let mut offset = 0;
    if len > 0 && !bit(bitmask, 0) {
        let next = next_set_bit(bitmask, len, 0);
        visit(Slot::invalid(0, next));
        offset = next;
    }
    while offset < len {
        let slot = legacy_slot(isa, code, bitmask, offset);
        let next = next_set_bit(bitmask, len, offset);
        let end = offset + slot.len;
        visit(slot);
        if end < next {
            visit(Slot::invalid(end, next - end));
        }
        offset = next;
    }
}

/// Extended encoding: the instruction at `offset`. Each raw opcode has a fixed
/// length; instructions never cross a 1 KiB macro block, and the last one of a block
/// must end a basic block, otherwise it is invalid and covers the rest of the block.
#[inline(always)]
pub(super) fn extended_slot(code: &[u8], offset: usize) -> Slot {
    let block_end = ((offset / EXTENDED_BLOCK_SIZE + 1) * EXTENDED_BLOCK_SIZE).min(code.len());
    let first = code[offset];
    let (raw, opcode_len) = if first == 0xff {
        (255 + usize::from(code.get(offset + 1).copied().unwrap_or(0)), 2)
    } else {
        (usize::from(first), 1)
    };
    let entry = tables::EXTENDED.get(raw).copied().flatten();
    let args_len = entry.map_or(0, |(_, n)| usize::from(n));
    let mut opcode = entry.map(|(op, _)| op);
    let mut length = opcode_len + args_len;
    if offset + length >= block_end {
        let ends_block = opcode.is_none_or(Opcode::ends_basic_block);
        if offset + length > block_end || !ends_block {
            opcode = None;
        }
        length = block_end - offset;
    }
    Slot { pc: offset, len: length, opcode, args_at: offset + opcode_len, args_len }
}

/// For each one-byte raw opcode of the extended encoding: the instruction's length and
/// whether it ends a basic block (an invalid one: one byte, and it does), for
/// [`lay_out_macro_block`].
static EXTENDED_STEPS: [(u8, bool); 255] = {
    const EXTENDED: [Option<(Opcode, u8)>; tables::EXTENDED_RAW_OPCODE_COUNT] = tables::build_extended();
    let mut steps = [(1, true); 255];
    let mut raw = 0;
    while raw < steps.len() {
        if let Some((opcode, args_len)) = EXTENDED[raw] {
            steps[raw] = (1 + args_len, opcode.ends_basic_block());
        }
        raw += 1;
    }
    steps
};

/// Bit words per macro block.
pub(super) const MACRO_BLOCK_WORDS: usize = EXTENDED_BLOCK_SIZE / 64;

/// The instruction starts and basic-block starts of the macro block at `start`, one
/// bit per byte, for [`super::layout::Layout`]: [`walk_extended`] without the
/// operands, a table lookup per instruction but where [`extended_slot`]'s rules need
/// more (a two-byte opcode, the end of the macro block).
pub(super) fn lay_out_macro_block(code: &[u8], start: usize) -> ([u64; MACRO_BLOCK_WORDS], [u64; MACRO_BLOCK_WORDS]) {
    let mut starts = [0u64; MACRO_BLOCK_WORDS];
    let mut block_starts = [0u64; MACRO_BLOCK_WORDS];
    let end = (start + EXTENDED_BLOCK_SIZE).min(code.len());
    let mut previous_ends_block = true;
    let mut offset = start;
    while offset < end {
        let byte = code[offset];
        let (len, ends_basic_block) = match EXTENDED_STEPS.get(usize::from(byte)) {
            Some(&(step, ends)) if offset + usize::from(step) < end => (usize::from(step), ends),
            _ => {
                let slot = extended_slot(code, offset);
                (slot.len, slot.ends_basic_block())
            }
        };
        let bit = offset - start;
        starts[bit / 64] |= 1 << (bit % 64);
        if previous_ends_block {
            block_starts[bit / 64] |= 1 << (bit % 64);
        }
        previous_ends_block = ends_basic_block;
        offset += len;
    }
    (starts, block_starts)
}

#[inline(always)]
fn walk_extended(code: &[u8], mut visit: impl FnMut(Slot)) {
    let mut offset = 0;
    while offset < code.len() {
        let slot = extended_slot(code, offset);
        offset += slot.len;
        visit(slot);
    }
}

#[inline(always)]
fn walk(isa: InstructionSet, raw: &RawCode, visit: impl FnMut(Slot)) {
    if isa.uses_bitmask() {
        walk_legacy(isa, &raw.code, &raw.bitmask, visit)
    } else {
        walk_extended(&raw.code, visit)
    }
}

#[cfg(test)]
pub(super) fn decode_legacy(isa: InstructionSet, code: &[u8], bitmask: &[u8]) -> Vec<Instruction> {
    let mut instructions = Vec::new();
    walk_legacy(isa, code, bitmask, |slot| instructions.push(slot.decode(code)));
    instructions
}

#[cfg(test)]
pub(super) fn decode_extended(code: &[u8]) -> Vec<Instruction> {
    let mut instructions = Vec::new();
    walk_extended(code, |slot| instructions.push(slot.decode(code)));
    instructions
}

/// Formats an instruction as `mnemonic operands` for listings.
pub struct Disassembly<'a>(pub &'a Instruction);

impl fmt::Display for Disassembly<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let instruction = self.0;
        let Some(opcode) = instruction.opcode else {
            return f.write_str("invalid");
        };
        let a = &instruction.args;
        let name = opcode.name();
        let imm = |v: u32| v as i32;
        match opcode.shape() {
            Shape::None => f.write_str(name),
            Shape::Imm => write!(f, "{name} {}", a.imm1),
            Shape::Offset => write!(f, "{name} @{}", a.imm1),
            Shape::RegImm => write!(f, "{name} {}, {}", a.reg(0), imm(a.imm1)),
            Shape::RegImmOffset => write!(f, "{name} {}, {}, @{}", a.reg(0), imm(a.imm1), a.imm2),
            Shape::RegImmImm => write!(f, "{name} {}, {}, {}", a.reg(0), imm(a.imm1), imm(a.imm2)),
            Shape::RegRegImm => write!(f, "{name} {}, {}, {}", a.reg(0), a.reg(1), imm(a.imm1)),
            Shape::RegRegOffset => write!(f, "{name} {}, {}, @{}", a.reg(0), a.reg(1), a.imm1),
            Shape::RegRegReg => write!(f, "{name} {}, {}, {}", a.reg(0), a.reg(1), a.reg(2)),
            Shape::ImmImm => write!(f, "{name} {}, {}", imm(a.imm1), imm(a.imm2)),
            Shape::RegReg => write!(f, "{name} {}, {}", a.reg(0), a.reg(1)),
            Shape::RegRegImmImm => write!(f, "{name} {}, {}, {}, {}", a.reg(0), a.reg(1), imm(a.imm1), imm(a.imm2)),
            Shape::RegImm64 => write!(f, "{name} {}, {:#x}", a.reg(0), a.imm64()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(code: &[u8], bitmask: &[u8]) -> Vec<Instruction> {
        decode_legacy(InstructionSet::ReviveV1, code, bitmask)
    }

    #[test]
    fn add_32_then_implicit_end() {
        // add_32 a2, a0, a1 (the JAM vector `inst_add_32`).
        let code = decode(&[190, 135, 9], &[0b001]);
        assert_eq!(code.len(), 1);
        assert_eq!(code[0].opcode, Some(Opcode::Add32));
        assert_eq!(code[0].args.regs, [9, 7, 8]);
        assert_eq!(code[0].len, 3);
    }

    #[test]
    fn long_gaps_become_invalid_instructions() {
        let mut code = [0u8; 40];
        code[0] = 1; // fallthrough
        code[30] = 0; // trap
        let mut bitmask = [0u8; 5];
        bitmask[0] = 1;
        bitmask[30 / 8] |= 1 << (30 % 8);
        let decoded = decode(&code, &bitmask);
        let starts: Vec<(u32, u32, Option<Opcode>)> = decoded.iter().map(|i| (i.pc, i.len, i.opcode)).collect();
        assert_eq!(starts, [(0, 25, Some(Opcode::Fallthrough)), (25, 5, None), (30, 10, Some(Opcode::Trap)),]);
    }

    #[test]
    fn code_without_a_first_bit_starts_invalid() {
        let decoded = decode(&[1, 1, 0], &[0b100]);
        assert_eq!(decoded[0].opcode, None);
        assert_eq!((decoded[0].pc, decoded[0].len), (0, 2));
        assert_eq!(decoded[1].opcode, Some(Opcode::Trap));
    }

    #[test]
    fn immediates_are_sign_extended() {
        let window = [0x07, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        // load_imm a0, -1 (reg byte, one immediate byte).
        let args = decode_args(Shape::RegImm, &window, 2, 0);
        assert_eq!(args.imm1, u32::MAX);
        assert_eq!(args.reg(0), Reg::A0);
    }

    #[test]
    fn extended_last_instruction_must_end_the_macro_block() {
        let mut code = alloc::vec![1u8; EXTENDED_BLOCK_SIZE]; // fallthrough x 1024
        code[EXTENDED_BLOCK_SIZE - 1] = 227; // move_reg (2 bytes) crossing the boundary
        code.push(0);
        let decoded = decode_extended(&code);
        let last_in_block = decoded.iter().find(|i| i.pc == (EXTENDED_BLOCK_SIZE - 1) as u32).unwrap();
        assert_eq!(last_in_block.opcode, None);
        assert_eq!(last_in_block.len, 1);
        assert_eq!(decoded.last().unwrap().pc, EXTENDED_BLOCK_SIZE as u32);
    }
}
