//! Writing program blobs: an encoder for bitmask-encoded instruction sets and a blob
//! builder. Used by tests, fuzzers and tools that assemble programs; checked against
//! the decoder (and in differential tests, against the reference).

use alloc::vec::Vec;

use super::blob::{write_varint, BLOB_MAGIC};
use super::code::{Args, EXTENDED_BLOCK_SIZE};
use crate::isa::{tables, InstructionSet, Opcode, Shape};

/// The fewest bytes (0..=4) whose sign extension gives back `value`.
fn imm_len(value: u32) -> usize {
    let value = value as i32;
    (0..4)
        .find(|&n| {
            let shift = 32 - 8 * n;
            n > 0 && ((value << shift) >> shift) == value || n == 0 && value == 0
        })
        .unwrap_or(4)
}

fn push_imm(out: &mut Vec<u8>, value: u32, len: usize) {
    out.extend_from_slice(&value.to_le_bytes()[..len]);
}

/// Encodes one instruction at `pc` for a bitmask-encoded instruction set. Branch and
/// jump targets in `args` are absolute; they are written as 4-byte relative offsets
/// so that an instruction's length does not depend on where it lands.
/// Returns `None` if the instruction set lacks the opcode.
pub fn encode_instruction(isa: InstructionSet, pc: u32, opcode: Opcode, args: &Args) -> Option<Vec<u8>> {
    encode_legacy(isa, pc, opcode, args, false, 0)
}

/// Like [`encode_instruction`], with relative offsets in as few bytes as they need when
/// `compact` (the length then depends on the distance to the target), plus `extra`
/// bytes (at most 4 in all).
fn encode_legacy(
    isa: InstructionSet,
    pc: u32,
    opcode: Opcode,
    args: &Args,
    compact: bool,
    extra: usize,
) -> Option<Vec<u8>> {
    let byte = isa.legacy_byte(opcode)?;
    let mut out = alloc::vec![byte];
    let regs = args.regs.map(|r| r & 0xf);
    let relative = |target: u32| target.wrapping_sub(pc);
    let offset_len = |offset: u32| if compact { (imm_len(offset) + extra).min(4) } else { 4 };
    match opcode.shape() {
        Shape::None => {}
        Shape::Imm => push_imm(&mut out, args.imm1, imm_len(args.imm1)),
        Shape::Offset => push_imm(&mut out, relative(args.imm1), offset_len(relative(args.imm1))),
        Shape::RegImm => {
            out.push(regs[0]);
            push_imm(&mut out, args.imm1, imm_len(args.imm1));
        }
        Shape::RegImmOffset | Shape::RegImmImm => {
            let first = imm_len(args.imm1);
            out.push(regs[0] | (first as u8) << 4);
            push_imm(&mut out, args.imm1, first);
            if opcode.shape() == Shape::RegImmOffset {
                push_imm(&mut out, relative(args.imm2), offset_len(relative(args.imm2)));
            } else {
                push_imm(&mut out, args.imm2, imm_len(args.imm2));
            }
        }
        Shape::RegRegImm => {
            out.push(regs[0] | regs[1] << 4);
            push_imm(&mut out, args.imm1, imm_len(args.imm1));
        }
        Shape::RegRegOffset => {
            out.push(regs[0] | regs[1] << 4);
            push_imm(&mut out, relative(args.imm1), offset_len(relative(args.imm1)));
        }
        Shape::RegRegReg => {
            out.push(regs[1] | regs[2] << 4);
            out.push(regs[0]);
        }
        Shape::ImmImm => {
            let first = imm_len(args.imm1);
            out.push(first as u8);
            push_imm(&mut out, args.imm1, first);
            push_imm(&mut out, args.imm2, imm_len(args.imm2));
        }
        Shape::RegReg => out.push(regs[0] | regs[1] << 4),
        Shape::RegRegImmImm => {
            let first = imm_len(args.imm1);
            out.push(regs[0] | regs[1] << 4);
            out.push(first as u8);
            push_imm(&mut out, args.imm1, first);
            push_imm(&mut out, args.imm2, imm_len(args.imm2));
        }
        Shape::RegImm64 => {
            out.push(regs[0]);
            out.extend_from_slice(&args.imm64().to_le_bytes());
        }
    }
    Some(out)
}

/// Whether `value` survives a round trip through `count` (0..=4) sign-extended bytes.
fn fits(value: u32, count: usize) -> bool {
    count >= 4 || (count == 0 && value == 0) || (count > 0 && count >= imm_len(value))
}

/// Encodes one instruction at `pc` in the extended encoding (Latest64): a one- or
/// two-byte raw opcode that fixes the argument length, then the arguments laid out as
/// in the bitmask encodings for that length. Picks the shortest raw opcode of at least
/// `min_size` bytes (or the longest, if none is that long) that can hold the operands,
/// or the longest one if `fixed_size` (so that an instruction's size does not depend on
/// its target). Returns `None` if the opcode does not exist there.
fn encode_instruction_extended(
    pc: u32,
    opcode: Opcode,
    args: &Args,
    fixed_size: bool,
    min_size: usize,
) -> Option<Vec<u8>> {
    let mut forms: Vec<(u8, u16)> = opcode.info().extended.to_vec();
    forms.sort_unstable();
    if fixed_size {
        forms.reverse();
    }
    // The raw opcode takes one byte below 255, two from there.
    let size = |&(length, raw): &(u8, u16)| usize::from(length) + if raw < 255 { 1 } else { 2 };
    let longest = forms.iter().map(size).max().unwrap_or(0);
    let min_size = min_size.min(longest);
    forms.into_iter().filter(|form| size(form) >= min_size).find_map(|(length, raw)| {
        let args = extended_args(pc, opcode, args, usize::from(length))?;
        let mut out = if raw < 255 { alloc::vec![raw as u8] } else { alloc::vec![0xff, (raw - 255) as u8] };
        out.extend_from_slice(&args);
        Some(out)
    })
}

/// The argument bytes of `opcode` for an argument length of exactly `length`, if the
/// operands fit in it.
fn extended_args(pc: u32, opcode: Opcode, args: &Args, length: usize) -> Option<Vec<u8>> {
    let regs = args.regs.map(|r| r & 0xf);
    let relative = |target: u32| target.wrapping_sub(pc);
    let mut out = Vec::with_capacity(length);
    // One immediate taking the rest of the arguments (at most 4 bytes).
    let rest = |out: &mut Vec<u8>, value: u32| -> Option<()> {
        let count = length.checked_sub(out.len())?.min(4);
        fits(value, count).then(|| push_imm(out, value, count))
    };
    // Two immediates: the first with an explicit length, the second takes the rest.
    let pair = |out: &mut Vec<u8>, first: u32, second: u32| -> Option<()> {
        let first_len = imm_len(first);
        push_imm(out, first, first_len);
        rest(out, second)
    };
    match opcode.shape() {
        Shape::None => {}
        Shape::Imm => rest(&mut out, args.imm1)?,
        Shape::Offset => rest(&mut out, relative(args.imm1))?,
        Shape::RegImm => {
            out.push(regs[0]);
            rest(&mut out, args.imm1)?;
        }
        Shape::RegImmOffset | Shape::RegImmImm => {
            out.push(regs[0] | (imm_len(args.imm1) as u8) << 4);
            let second = if opcode.shape() == Shape::RegImmOffset { relative(args.imm2) } else { args.imm2 };
            pair(&mut out, args.imm1, second)?;
        }
        Shape::RegRegImm => {
            out.push(regs[0] | regs[1] << 4);
            rest(&mut out, args.imm1)?;
        }
        Shape::RegRegOffset => {
            out.push(regs[0] | regs[1] << 4);
            rest(&mut out, relative(args.imm1))?;
        }
        Shape::RegRegReg => out.extend_from_slice(&[regs[1] | regs[2] << 4, regs[0]]),
        Shape::ImmImm => {
            out.push(imm_len(args.imm1) as u8);
            pair(&mut out, args.imm1, args.imm2)?;
        }
        Shape::RegReg => out.push(regs[0] | regs[1] << 4),
        Shape::RegRegImmImm => {
            out.extend_from_slice(&[regs[0] | regs[1] << 4, imm_len(args.imm1) as u8]);
            pair(&mut out, args.imm1, args.imm2)?;
        }
        Shape::RegImm64 => {
            out.push(regs[0]);
            out.extend_from_slice(&args.imm64().to_le_bytes());
        }
    }
    // Unused argument bytes (the second immediate reads at most 4) are zero.
    (out.len() <= length).then(|| {
        out.resize(length, 0);
        out
    })
}

/// Builds `.polkavm` blobs for any instruction set. In the extended encoding
/// (Latest64) instructions never straddle a 1 KiB macro block: one that would is moved
/// to the next block, and the gap filled with `unlikely` ending in a `fallthrough`.
#[derive(Clone, Debug)]
pub struct BlobBuilder {
    isa: InstructionSet,
    ro_data_size: u32,
    rw_data_size: u32,
    stack_size: u32,
    ro_data: Vec<u8>,
    rw_data: Vec<u8>,
    imports: Vec<Vec<u8>>,
    exports: Vec<(Vec<u8>, u32)>,
    jump_table: Vec<u32>,
    code: Vec<u8>,
    bitmask_bits: Vec<bool>,
    /// The last instruction pushed with [`BlobBuilder::push`].
    last_opcode: Option<Opcode>,
    /// Write branch offsets in as few bytes as they need (bitmask encodings).
    compact_offsets: bool,
}

impl BlobBuilder {
    /// An empty program for `isa` (which must use the bitmask encoding).
    pub fn new(isa: InstructionSet) -> Self {
        BlobBuilder {
            isa,
            ro_data_size: 0,
            rw_data_size: 0,
            stack_size: 0,
            ro_data: Vec::new(),
            rw_data: Vec::new(),
            imports: Vec::new(),
            exports: Vec::new(),
            jump_table: Vec::new(),
            code: Vec::new(),
            bitmask_bits: Vec::new(),
            last_opcode: None,
            compact_offsets: false,
        }
    }

    /// Sets the RO data and its declared size (at least the data's length).
    pub fn ro_data(&mut self, data: &[u8], size: u32) -> &mut Self {
        self.ro_data = data.to_vec();
        self.ro_data_size = size.max(data.len() as u32);
        self
    }

    /// Sets the RW data and its declared size (at least the data's length).
    pub fn rw_data(&mut self, data: &[u8], size: u32) -> &mut Self {
        self.rw_data = data.to_vec();
        self.rw_data_size = size.max(data.len() as u32);
        self
    }

    /// Sets the stack size.
    pub fn stack_size(&mut self, size: u32) -> &mut Self {
        self.stack_size = size;
        self
    }

    /// Adds an import; returns its index.
    pub fn import(&mut self, name: &str) -> u32 {
        self.imports.push(name.as_bytes().to_vec());
        self.imports.len() as u32 - 1
    }

    /// Exports the current position under `name`.
    pub fn export_here(&mut self, name: &str) -> &mut Self {
        self.exports.push((name.as_bytes().to_vec(), self.pc()));
        self
    }

    /// Adds a jump table entry pointing at `pc`; returns its dynamic address.
    pub fn jump_table_entry(&mut self, pc: u32) -> u32 {
        self.jump_table.push(pc);
        self.jump_table.len() as u32 * 2
    }

    /// Writes branch and jump offsets in as few bytes as they need. Instruction sizes
    /// then depend on where targets are: lay the code out until the pcs stop changing.
    pub fn compact_offsets(&mut self, compact: bool) -> &mut Self {
        self.compact_offsets = compact;
        self
    }

    /// The instruction set being written.
    pub fn isa(&self) -> InstructionSet {
        self.isa
    }

    /// The pc the next instruction gets.
    pub fn pc(&self) -> u32 {
        self.code.len() as u32
    }

    /// Appends an instruction; returns its pc. Panics if the instruction set lacks it
    /// (a programming error in the caller).
    pub fn push(&mut self, opcode: Opcode, args: Args) -> u32 {
        self.push_at_least(opcode, args, 0)
    }

    /// Like [`BlobBuilder::push`], but in the extended encoding the instruction takes at
    /// least `min_size` bytes (or its longest form, if shorter): a layout that lets
    /// instruction sizes only grow from pass to pass reaches a fixed point even where
    /// macro-block padding moves code forward. In the bitmask encodings with compact
    /// offsets, a branch offset gets the extra bytes (at most 4 in all); other
    /// instructions have one size there.
    pub fn push_at_least(&mut self, opcode: Opcode, args: Args, min_size: usize) -> u32 {
        self.last_opcode = Some(opcode);
        let isa = self.isa;
        let missing = || panic!("{opcode} is not part of {isa}");
        if self.isa.uses_bitmask() {
            let pc = self.pc();
            let compact = self.compact_offsets;
            let mut bytes = encode_legacy(self.isa, pc, opcode, &args, compact, 0).unwrap_or_else(missing);
            if compact && bytes.len() < min_size {
                // A branch offset written in more bytes than it needs still reads back.
                let extra = min_size - bytes.len();
                bytes = encode_legacy(self.isa, pc, opcode, &args, compact, extra).unwrap_or_else(missing);
            }
            self.push_raw(&bytes);
            return pc;
        }
        // Unless offsets are compact, instructions with a target get their longest form,
        // so that their size (and so every pc) does not depend on where the target is.
        let has_target = matches!(opcode.shape(), Shape::Offset | Shape::RegImmOffset | Shape::RegRegOffset);
        let longest = has_target && !self.compact_offsets;
        let encode = |pc| encode_instruction_extended(pc, opcode, &args, longest, min_size).unwrap_or_else(missing);
        let size = encode(self.pc()).len();
        // Padding moves the instruction to the start of a macro block, where it fits
        // whatever its (possibly different) size there.
        let pc = self.pad_for(size, opcode.ends_basic_block());
        let bytes = encode(pc);
        self.push_raw(&bytes);
        pc
    }

    /// Extended encoding: where an instruction of `size` bytes goes. It must end inside
    /// the current macro block, and one that does not end a basic block must leave room
    /// after it, since the last instruction of a block has to end a basic block.
    fn pad_for(&mut self, size: usize, ends_block: bool) -> u32 {
        let position = self.code.len();
        let boundary = (position / EXTENDED_BLOCK_SIZE + 1) * EXTENDED_BLOCK_SIZE;
        if position + size + usize::from(!ends_block) > boundary {
            let unlikely = tables::extended_byte(Opcode::Unlikely);
            let fallthrough = tables::extended_byte(Opcode::Fallthrough);
            while self.code.len() + 1 < boundary {
                self.push_raw(&[unlikely]);
            }
            self.push_raw(&[fallthrough]);
        }
        self.pc()
    }

    /// Appends raw bytes as one instruction (its first byte gets a bitmask bit).
    pub fn push_raw(&mut self, bytes: &[u8]) {
        for (i, &byte) in bytes.iter().enumerate() {
            self.code.push(byte);
            self.bitmask_bits.push(i == 0);
        }
    }

    /// The code section payload (what the JAM test vectors call a program): jump table
    /// entry count and size, the code length (bitmask encodings only), the jump table,
    /// the code, the bitmask (bitmask encodings only). In the extended encoding, code that
    /// could run off its end gets a final `trap`: the end of the code is a macro block
    /// boundary, where a block has to end.
    pub fn code_section(&self) -> Vec<u8> {
        if !self.isa.uses_bitmask() && self.last_opcode.is_some_and(|op| !op.ends_basic_block()) {
            let mut code = self.clone();
            code.push(Opcode::Trap, Args::default());
            return code.code_section();
        }
        let entry_size = self.jump_table.iter().map(|&pc| 4 - pc.leading_zeros() as usize / 8).max().unwrap_or(0);
        let mut out = Vec::new();
        write_varint(self.jump_table.len() as u32, &mut out);
        out.push(entry_size as u8);
        if self.isa.uses_bitmask() {
            write_varint(self.code.len() as u32, &mut out);
        }
        for &pc in &self.jump_table {
            out.extend_from_slice(&pc.to_le_bytes()[..entry_size]);
        }
        out.extend_from_slice(&self.code);
        if self.isa.uses_bitmask() {
            let mut bitmask = alloc::vec![0u8; self.code.len().div_ceil(8)];
            for (i, &set) in self.bitmask_bits.iter().enumerate() {
                if set {
                    bitmask[i / 8] |= 1 << (i % 8);
                }
            }
            out.extend_from_slice(&bitmask);
        }
        out
    }

    /// Serialises the blob.
    pub fn build(&self) -> Vec<u8> {
        let mut sections: Vec<(u8, Vec<u8>)> = Vec::new();
        if self.ro_data_size != 0 || self.rw_data_size != 0 || self.stack_size != 0 {
            let mut payload = Vec::new();
            write_varint(self.ro_data_size, &mut payload);
            write_varint(self.rw_data_size, &mut payload);
            write_varint(self.stack_size, &mut payload);
            sections.push((1, payload));
        }
        if !self.ro_data.is_empty() {
            sections.push((2, self.ro_data.clone()));
        }
        if !self.rw_data.is_empty() {
            sections.push((3, self.rw_data.clone()));
        }
        if !self.imports.is_empty() {
            let mut payload = Vec::new();
            write_varint(self.imports.len() as u32, &mut payload);
            let mut offset = 0u32;
            for symbol in &self.imports {
                payload.extend_from_slice(&offset.to_le_bytes());
                offset += symbol.len() as u32;
            }
            for symbol in &self.imports {
                payload.extend_from_slice(symbol);
            }
            sections.push((4, payload));
        }
        if !self.exports.is_empty() {
            let mut payload = Vec::new();
            write_varint(self.exports.len() as u32, &mut payload);
            for (symbol, pc) in &self.exports {
                write_varint(*pc, &mut payload);
                write_varint(symbol.len() as u32, &mut payload);
                payload.extend_from_slice(symbol);
            }
            sections.push((5, payload));
        }
        sections.push((6, self.code_section()));

        let mut out = Vec::new();
        out.extend_from_slice(&BLOB_MAGIC);
        out.push(self.isa.blob_version());
        out.extend_from_slice(&[0; 8]);
        for (id, payload) in sections {
            out.push(id);
            write_varint(payload.len() as u32, &mut out);
            out.extend_from_slice(&payload);
        }
        out.push(0);
        let length = out.len() as u64;
        out[5..13].copy_from_slice(&length.to_le_bytes());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::{Code, ProgramBlob};

    #[test]
    fn immediate_lengths_are_minimal() {
        assert_eq!(imm_len(0), 0);
        assert_eq!(imm_len(1), 1);
        assert_eq!(imm_len(0x7f), 1);
        assert_eq!(imm_len(0x80), 2);
        assert_eq!(imm_len(u32::MAX), 1);
        assert_eq!(imm_len(0xffff_ff7f), 2);
        assert_eq!(imm_len(0x8000_0000), 4);
    }

    /// Every opcode of every bitmask-encoded instruction set, with assorted operands,
    /// decodes back to what was encoded.
    #[test]
    fn encoder_and_decoder_agree() {
        let samples = [0u32, 1, 0x7f, 0x80, 0xffff_ffff, 0x1234_5678, 0x8000_0000, 0xffff_8000];
        for isa in [InstructionSet::ReviveV1, InstructionSet::JamV1, InstructionSet::Latest32] {
            for &opcode in Opcode::ALL.iter().filter(|&&op| isa.supports(op)) {
                for (n, &imm) in samples.iter().enumerate() {
                    let mut builder = BlobBuilder::new(isa);
                    builder.push(Opcode::Fallthrough, Args::default());
                    let args = Args {
                        regs: [(n % 13) as u8, ((n + 5) % 13) as u8, ((n + 9) % 13) as u8],
                        imm1: imm,
                        imm2: samples[(n + 3) % samples.len()],
                    };
                    let args = canonical(opcode, args);
                    let pc = builder.push(opcode, args);
                    builder.push(Opcode::Trap, Args::default());
                    let blob = ProgramBlob::parse(&builder.build()).unwrap();
                    let code = Code::decode(isa, &blob.code);
                    let decoded = code.instructions()[1];
                    assert_eq!(decoded.pc, pc);
                    assert_eq!(decoded.opcode, Some(opcode), "{isa} {opcode}");
                    assert_eq!(decoded.args, args, "{isa} {opcode} {args:?}");
                }
            }
        }
    }

    /// Zeroes the fields an opcode's shape does not use.
    fn canonical(opcode: Opcode, args: Args) -> Args {
        let Args { regs, imm1, imm2 } = args;
        match opcode.shape() {
            Shape::None => Args::default(),
            Shape::Imm | Shape::Offset => Args { imm1, ..Args::default() },
            Shape::RegImm => Args { regs: [regs[0], 0, 0], imm1, imm2: 0 },
            Shape::RegImmOffset | Shape::RegImmImm | Shape::RegImm64 => Args { regs: [regs[0], 0, 0], imm1, imm2 },
            Shape::RegRegImm | Shape::RegRegOffset => Args { regs: [regs[0], regs[1], 0], imm1, imm2: 0 },
            Shape::RegRegReg => Args { regs, imm1: 0, imm2: 0 },
            Shape::ImmImm => Args { regs: [0; 3], imm1, imm2 },
            Shape::RegReg => Args { regs: [regs[0], regs[1], 0], ..Args::default() },
            Shape::RegRegImmImm => Args { regs: [regs[0], regs[1], 0], imm1, imm2 },
        }
    }
}
