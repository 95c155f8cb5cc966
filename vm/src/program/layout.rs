//! Where a code section's instructions and basic blocks start, found on demand.
//!
//! A chain loads a contract for every call it does not cache, and a call usually runs
//! a small part of the code, so loading must not cost time in proportion to the code:
//! nothing here is computed up front.
//!
//! - Bitmask encodings: every question is answered from the bitmask and from at most
//!   the 25 bytes before the pc asked about (an instruction is at most 25 bytes long;
//!   a longer gap between two bits is an invalid instruction of its own).
//! - Extended encoding (no bitmask): the starts of a 1 KiB macro block are found by
//!   walking it when a pc in it is first asked about, and kept. Macro blocks are
//!   independent: no instruction crosses one, and the last instruction of each ends a
//!   basic block (or is invalid, which does too), so each one starts a basic block.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU64, Ordering};

use super::blob::RawCode;
use super::code::{bit, extended_slot, lay_out_macro_block, legacy_slot, next_set_bit, Instruction, Slot};
use super::code::{BITMASK_MAX_SKIP, EXTENDED_BLOCK_SIZE};
use crate::isa::{InstructionSet, Opcode};

/// The longest instruction of the bitmask encodings.
const MAX_LEGACY_LEN: usize = BITMASK_MAX_SKIP + 1;

/// Bit words per macro block.
const WORDS: usize = EXTENDED_BLOCK_SIZE / 64;

/// Where the instructions and basic blocks of a code section start: enough to validate
/// jump targets and exports and to decode any instruction on its own
/// ([`Layout::instruction_at`]), so that a backend translates only the code that runs.
#[derive(Debug)]
pub(crate) struct Layout {
    isa: InstructionSet,
    raw: Arc<RawCode>,
    /// Extended encoding only: the instruction starts and the block starts of each
    /// macro block, one bit per byte, [`WORDS`] words per macro block. Zero until the
    /// macro block is laid out, which is filled in once, by whichever thread asks
    /// first: every thread computes the same bits, so a race only repeats the work.
    /// Laid out, a macro block has its first bit set (an instruction starts there).
    starts: Vec<AtomicU64>,
    block_starts: Vec<AtomicU64>,
}

impl Layout {
    pub fn new(isa: InstructionSet, raw: Arc<RawCode>) -> Layout {
        let words = if isa.uses_bitmask() { 0 } else { raw.code.len().div_ceil(EXTENDED_BLOCK_SIZE) * WORDS };
        Layout { isa, starts: zeroed_words(words), block_starts: zeroed_words(words), raw }
    }

    /// The code section.
    pub fn raw(&self) -> &RawCode {
        &self.raw
    }

    /// The code's length in bytes.
    pub fn code_len(&self) -> u32 {
        self.raw.code.len() as u32
    }

    /// The instruction set.
    pub fn isa(&self) -> InstructionSet {
        self.isa
    }

    /// Whether an instruction starts at `pc`.
    pub fn is_instruction_start(&self, pc: u32) -> bool {
        if pc >= self.code_len() {
            return false;
        }
        let pc = pc as usize;
        if !self.isa.uses_bitmask() {
            return self.macro_block_bit(pc, false);
        }
        // A set bit; or the code's start; or the invalid instruction 25 bytes after a
        // set bit with no other bit in between.
        self.is_set(pc)
            || pc == 0
            || (pc >= MAX_LEGACY_LEN
                && self.is_set(pc - MAX_LEGACY_LEN)
                && self.set_bit_before(pc, MAX_LEGACY_LEN - 1).is_none())
    }

    /// Whether `pc` is a valid jump target: an instruction that starts a basic block.
    pub fn is_block_start(&self, pc: u32) -> bool {
        if !self.is_instruction_start(pc) {
            return false;
        }
        if !self.isa.uses_bitmask() {
            return self.macro_block_bit(pc as usize, true);
        }
        !self.falls_into(pc as usize)
    }

    /// The start of the instruction after the one at `pc` (an instruction start); the
    /// code length after the last.
    pub fn next_instruction(&self, pc: u32) -> u32 {
        let pc = pc as usize;
        let len = self.raw.code.len();
        let next = if !self.isa.uses_bitmask() {
            self.next_in_macro_block(pc, false)
        } else if self.is_set(pc) {
            next_set_bit(&self.raw.bitmask, len, pc).min(pc + MAX_LEGACY_LEN)
        } else {
            next_set_bit(&self.raw.bitmask, len, pc)
        };
        next.min(len) as u32
    }

    /// The first block start after `pc` (an instruction start); the code length after
    /// the last.
    pub fn next_block_start(&self, pc: u32) -> u32 {
        if !self.isa.uses_bitmask() {
            return self.next_in_macro_block(pc as usize, true).min(self.raw.code.len()) as u32;
        }
        let mut pc = pc;
        loop {
            let ends_basic_block = self.ends_basic_block(pc as usize);
            pc = self.next_instruction(pc);
            if ends_basic_block || pc >= self.code_len() {
                return pc;
            }
        }
    }

    /// The start of the basic block containing the instruction at `pc`.
    pub fn block_start_of(&self, pc: u32) -> u32 {
        let mut pc = pc as usize;
        if !self.isa.uses_bitmask() {
            let words = self.macro_block_words(pc, true);
            let base = pc - pc % EXTENDED_BLOCK_SIZE;
            let mut word_index = pc % EXTENDED_BLOCK_SIZE / 64;
            let mut word = words[word_index].load(Ordering::Relaxed) & (u64::MAX >> (63 - pc % 64));
            // The macro block's first instruction starts a block, so this ends there.
            while word == 0 {
                word_index -= 1;
                word = words[word_index].load(Ordering::Relaxed);
            }
            return (base + word_index * 64 + 63 - word.leading_zeros() as usize) as u32;
        }
        while self.falls_into(pc) {
            pc = self.previous_valid(pc).expect("only a valid instruction falls into the next");
        }
        pc as u32
    }

    /// Decodes the instruction that starts at `pc`.
    pub fn instruction_at(&self, pc: u32) -> Instruction {
        debug_assert!(self.is_instruction_start(pc));
        let code = &self.raw.code;
        let pc = pc as usize;
        let slot = if !self.isa.uses_bitmask() {
            extended_slot(code, pc)
        } else if self.is_set(pc) {
            legacy_slot(self.isa, code, &self.raw.bitmask, pc)
        } else {
            Slot::invalid(pc, self.next_instruction(pc as u32) as usize - pc)
        };
        slot.decode(code)
    }

    // Bitmask encodings.

    fn is_set(&self, pc: usize) -> bool {
        pc < self.raw.code.len() && bit(&self.raw.bitmask, pc)
    }

    /// The last set bit among the `distance` bytes before `pc`.
    fn set_bit_before(&self, pc: usize, distance: usize) -> Option<usize> {
        (pc.saturating_sub(distance)..pc).rev().find(|&at| self.is_set(at))
    }

    /// The instruction before the one at `pc` (an instruction start), if it is a
    /// valid one, with a set bit; an invalid one (or none, at 0) ends a basic block
    /// anyway.
    fn previous_valid(&self, pc: usize) -> Option<usize> {
        if self.is_set(pc) {
            // An instruction at a set bit before it reaches it only from 25 bytes away.
            self.set_bit_before(pc, MAX_LEGACY_LEN)
        } else {
            // The invalid instruction after a 25-byte one (or at 0).
            pc.checked_sub(MAX_LEGACY_LEN)
        }
    }

    /// Whether the instruction at `pc` (an instruction start) ends a basic block.
    fn ends_basic_block(&self, pc: usize) -> bool {
        !self.is_set(pc) || self.isa.legacy_opcode(self.raw.code[pc]).is_none_or(Opcode::ends_basic_block)
    }

    /// Whether the instruction before the one at `pc` runs into it within a basic
    /// block, so that `pc` starts none.
    fn falls_into(&self, pc: usize) -> bool {
        self.previous_valid(pc).is_some_and(|previous| !self.ends_basic_block(previous))
    }

    // Extended encoding.

    /// The words of the macro block containing `pc`, laid out: its starts or its
    /// block starts.
    fn macro_block_words(&self, pc: usize, block_starts: bool) -> &[AtomicU64] {
        let first = pc / EXTENDED_BLOCK_SIZE * WORDS;
        let words = first..first + WORDS;
        // Acquire: with the first word set, the others are too (it is stored last).
        if self.starts[first].load(Ordering::Acquire) == 0 {
            let (starts, block_starts) = lay_out_macro_block(&self.raw.code, pc - pc % EXTENDED_BLOCK_SIZE);
            for word in (0..WORDS).rev() {
                self.block_starts[first + word].store(block_starts[word], Ordering::Relaxed);
                let order = if word == 0 { Ordering::Release } else { Ordering::Relaxed };
                self.starts[first + word].store(starts[word], order);
            }
        }
        if block_starts {
            &self.block_starts[words]
        } else {
            &self.starts[words]
        }
    }

    fn macro_block_bit(&self, pc: usize, block_starts: bool) -> bool {
        let words = self.macro_block_words(pc, block_starts);
        let offset = pc % EXTENDED_BLOCK_SIZE;
        words[offset / 64].load(Ordering::Relaxed) >> (offset % 64) & 1 == 1
    }

    /// The next instruction (or block) start after `pc` in its macro block, or the
    /// next macro block's start, which is both.
    fn next_in_macro_block(&self, pc: usize, block_starts: bool) -> usize {
        let words = self.macro_block_words(pc, block_starts);
        let base = pc - pc % EXTENDED_BLOCK_SIZE;
        let from = pc % EXTENDED_BLOCK_SIZE + 1;
        let mut word_index = from / 64;
        let mut mask = u64::MAX << (from % 64);
        while word_index < WORDS {
            let word = words[word_index].load(Ordering::Relaxed) & mask;
            if word != 0 {
                return base + word_index * 64 + word.trailing_zeros() as usize;
            }
            word_index += 1;
            mask = u64::MAX;
        }
        base + EXTENDED_BLOCK_SIZE
    }
}

/// `len` zeroed words, from a zeroed allocation: a large one costs nothing until
/// touched (the host maps zero pages lazily), while building it word by word would
/// touch every page, a tenth of the first call of a 700 KB program.
#[allow(unsafe_code)]
fn zeroed_words(len: usize) -> Vec<AtomicU64> {
    const { assert!(core::mem::align_of::<AtomicU64>() == core::mem::align_of::<u64>()) };
    let mut zeros = core::mem::ManuallyDrop::new(alloc::vec![0u64; len]);
    // SAFETY: `AtomicU64` has the same size and bit validity as `u64` (its documented
    // representation), and the same alignment here (asserted above), so the
    // allocation is a valid one for `len` zeroed `AtomicU64`s with the same layout,
    // and ownership passes from the forgotten vector to the new one.
    unsafe { Vec::from_raw_parts(zeros.as_mut_ptr().cast::<AtomicU64>(), zeros.len(), zeros.capacity()) }
}

#[cfg(test)]
mod tests {
    use super::super::code::{decode_extended, decode_legacy};
    use super::*;

    /// A xorshift generator: the same bytes on every run.
    fn bytes(state: &mut u64, len: usize) -> Vec<u8> {
        (0..len)
            .map(|_| {
                *state ^= *state << 13;
                *state ^= *state >> 7;
                *state ^= *state << 17;
                *state as u8
            })
            .collect()
    }

    /// Every question the layout answers, against the decoder's linear walk.
    fn check(isa: InstructionSet, raw: RawCode, decoded: &[Instruction]) {
        let len = raw.code.len() as u32;
        let layout = Layout::new(isa, Arc::new(raw));
        let starts: Vec<u32> = decoded.iter().map(|i| i.pc).collect();
        let laid_out: Vec<u32> = (0..len + 2).filter(|&pc| layout.is_instruction_start(pc)).collect();
        assert_eq!(laid_out, starts, "{isa:?}, length {len}");
        let mut block_start = 0;
        for (index, instruction) in decoded.iter().enumerate() {
            let pc = instruction.pc;
            let starts_block = index == 0 || decoded[index - 1].ends_basic_block();
            if starts_block {
                block_start = pc;
            }
            assert_eq!(layout.is_block_start(pc), starts_block, "{isa:?}, length {len}, pc {pc}");
            assert_eq!(layout.instruction_at(pc), *instruction, "{isa:?}, length {len}, pc {pc}");
            assert_eq!(layout.next_instruction(pc), instruction.next_pc().min(len), "{isa:?}, length {len}, pc {pc}");
            assert_eq!(layout.block_start_of(pc), block_start, "{isa:?}, length {len}, pc {pc}");
            if starts_block {
                let next = decoded[index..]
                    .iter()
                    .position(|i| i.ends_basic_block())
                    .map_or(len, |at| decoded[index + at].next_pc());
                assert_eq!(layout.next_block_start(pc), next.min(len), "{isa:?}, length {len}, pc {pc}");
            }
        }
        for pc in 0..len + 2 {
            if !starts.contains(&pc) {
                assert!(!layout.is_block_start(pc), "{isa:?}, length {len}, pc {pc}");
            }
        }
    }

    #[test]
    fn the_extended_layout_agrees_with_the_decoder() {
        // Random bytes: every opcode, two-byte ones, macro-block ends, invalid bytes.
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        for len in [0, 1, 2, 1023, 1024, 1025, 5000, 20_000] {
            let code = bytes(&mut state, len);
            let decoded = decode_extended(&code);
            check(InstructionSet::Latest64, RawCode { jump_table: Vec::new(), code, bitmask: Vec::new() }, &decoded);
        }
    }

    #[test]
    fn the_bitmask_layout_agrees_with_the_decoder() {
        // Random code with bitmasks of several densities: dense ones (short
        // instructions, every opcode) and sparse ones (gaps beyond 25 bytes, a first
        // byte without a bit).
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for len in [0, 1, 2, 25, 26, 27, 100, 5000] {
            for density in [1, 2, 4, 16, 40] {
                let code = bytes(&mut state, len);
                let noise = bytes(&mut state, len);
                let mut bitmask = alloc::vec![0u8; len.div_ceil(8)];
                for (pc, &random) in noise.iter().enumerate() {
                    if usize::from(random) % density == 0 {
                        bitmask[pc / 8] |= 1 << (pc % 8);
                    }
                }
                for isa in [InstructionSet::ReviveV1, InstructionSet::Latest32] {
                    let decoded = decode_legacy(isa, &code, &bitmask);
                    let raw = RawCode { jump_table: Vec::new(), code: code.clone(), bitmask: bitmask.clone() };
                    check(isa, raw, &decoded);
                }
            }
        }
    }
}
