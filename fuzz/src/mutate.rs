//! A structure-aware mutator for program blobs (`blob_mutate`).
//!
//! Random bytes rarely get past a blob's header: the declared length must match, every
//! section length must be right, and the code section has its own inner lengths (jump
//! table, code, bitmask). This mutator splits a blob into its sections (leniently, so
//! that broken blobs can be mutated too), changes one thing (an instruction, a bitmask
//! bit, a jump-table entry, an export's pc, an import, a memory size, a data section,
//! the instruction-set byte, the section list) and writes the blob back with consistent
//! lengths, so that most mutants reach the validator, the interpreter's translation and
//! execution. A small share of mutations are libFuzzer's own byte-level ones on the
//! whole input, and inputs that are not blobs at all get a fresh random program.

use std::sync::OnceLock;

use libfuzzer_sys::fuzzer_mutate;
use pvm::isa::Shape;
use pvm::program::{encode_instruction, write_varint, Args, Code, Instruction, RawCode, BLOB_MAGIC};
use pvm::{InstructionSet, Opcode};

const MEMORY_CONFIG: u8 = 1;
const RO_DATA: u8 = 2;
const RW_DATA: u8 = 3;
const IMPORTS: u8 = 4;
const EXPORTS: u8 = 5;
const CODE: u8 = 6;

const ISAS: [InstructionSet; 4] =
    [InstructionSet::ReviveV1, InstructionSet::Latest32, InstructionSet::Latest64, InstructionSet::JamV1];

/// Immediates and sizes that tend to matter: boundaries of sign extension, of pages
/// and of the memory map's regions.
const INTERESTING: &[u32] = &[
    0,
    1,
    2,
    3,
    4,
    7,
    8,
    16,
    31,
    32,
    63,
    64,
    0x7f,
    0x80,
    0xff,
    0x100,
    0xfff,
    0x1000,
    0x1001,
    0x7fff,
    0x8000,
    0xffff,
    0x1_0000,
    0x1_0001,
    0x2_0000,
    0x3_0000,
    0x10_0000,
    0x100_0000,
    0x7fff_ffff,
    0x8000_0000,
    0xfefe_0000,
    0xfeff_0000,
    0xfffe_0000,
    0xffff_0000,
    0xffff_f000,
    0xffff_fff8,
    0xffff_fffe,
    0xffff_ffff,
];

const IMPORT_NAMES: &[&[u8]] = &[b"get_third_number", b"seal_return", b"call", b"deposit_event", b"", b"\xff\x00"];

/// A small deterministic generator (SplitMix64) seeded by libFuzzer.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 if `n` is 0).
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    /// True with probability `1 / n`.
    fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    /// An element of `items`, which must not be empty.
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn byte(&mut self) -> u8 {
        self.next() as u8
    }

    /// An interesting value, a small change of one, or a random one.
    fn value(&mut self) -> u32 {
        let base = *self.pick(INTERESTING);
        match self.below(8) {
            0 => self.next() as u32,
            1 => base.wrapping_add(self.below(9) as u32).wrapping_sub(4),
            2 => (self.next() as u32) & 0xff,
            _ => base,
        }
    }

    /// A register nibble: mostly the 13 real registers, sometimes the invalid ones.
    fn reg(&mut self) -> u8 {
        if self.one_in(16) {
            self.below(16) as u8
        } else {
            self.below(13) as u8
        }
    }
}

/// Reads a blob varint (see `pvm::program::write_varint`) leniently: any value that
/// decodes, canonical or not. Returns the value and its length.
fn read_varint(data: &[u8]) -> Option<(u32, usize)> {
    let first = *data.first()?;
    let extra = first.leading_ones() as usize;
    if extra > 4 || data.len() < 1 + extra {
        return None;
    }
    let mut low: u64 = 0;
    for (i, &byte) in data[1..1 + extra].iter().enumerate() {
        low |= u64::from(byte) << (8 * i);
    }
    let high = u64::from(first) & (0x7f >> extra);
    u32::try_from((high << (8 * extra)) | low).ok().map(|value| (value, 1 + extra))
}

/// A blob as a list of sections. Parsing is lenient: a section that runs past the end
/// is cut short, and bytes after the end marker are kept as they are.
#[derive(Clone)]
struct Blob {
    version: u8,
    sections: Vec<(u8, Vec<u8>)>,
    trailer: Vec<u8>,
    /// Added to the correct total length when written (a corrupt header).
    length_delta: i64,
}

impl Blob {
    fn split(data: &[u8]) -> Option<Blob> {
        if data.len() < 13 || data[..4] != BLOB_MAGIC {
            return None;
        }
        let mut blob = Blob { version: data[4], sections: Vec::new(), trailer: Vec::new(), length_delta: 0 };
        let mut position = 13;
        while position < data.len() {
            let id = data[position];
            position += 1;
            if id == 0 {
                blob.trailer = data[position..].to_vec();
                break;
            }
            let (length, used) = read_varint(&data[position..]).unwrap_or((u32::MAX, 0));
            position += used;
            let end = position.saturating_add(length as usize).min(data.len());
            blob.sections.push((id, data[position..end].to_vec()));
            position = end;
        }
        Some(blob)
    }

    fn write(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.sections.iter().map(|(_, p)| p.len() + 6).sum::<usize>());
        out.extend_from_slice(&BLOB_MAGIC);
        out.push(self.version);
        out.extend_from_slice(&[0; 8]);
        for (id, payload) in &self.sections {
            out.push(*id);
            write_varint(payload.len() as u32, &mut out);
            out.extend_from_slice(payload);
        }
        out.push(0);
        out.extend_from_slice(&self.trailer);
        let length = (out.len() as i64).wrapping_add(self.length_delta) as u64;
        out[5..13].copy_from_slice(&length.to_le_bytes());
        out
    }

    fn isa(&self) -> InstructionSet {
        InstructionSet::from_blob_version(self.version).unwrap_or(InstructionSet::ReviveV1)
    }

    fn get(&self, id: u8) -> Option<&Vec<u8>> {
        self.sections.iter().find(|(i, _)| *i == id).map(|(_, payload)| payload)
    }

    /// Replaces the section `id`, or inserts it where the section order wants it.
    fn set(&mut self, id: u8, payload: Vec<u8>) {
        if let Some(section) = self.sections.iter_mut().find(|(i, _)| *i == id) {
            section.1 = payload;
            return;
        }
        let at = self.sections.iter().position(|(i, _)| *i > id && *i & 0x80 == 0).unwrap_or(self.sections.len());
        self.sections.insert(at, (id, payload));
    }

    fn remove(&mut self, id: u8) {
        self.sections.retain(|(i, _)| *i != id);
    }

    /// The decoded code section, if it parses.
    fn code(&self) -> Option<RawCode> {
        RawCode::parse(self.get(CODE)?, self.isa()).ok()
    }

    fn memory_config(&self) -> [u32; 3] {
        let mut sizes = [0; 3];
        if let Some(payload) = self.get(MEMORY_CONFIG) {
            let mut rest = &payload[..];
            for size in &mut sizes {
                let Some((value, used)) = read_varint(rest) else { break };
                *size = value;
                rest = &rest[used..];
            }
        }
        sizes
    }

    fn set_memory_config(&mut self, sizes: [u32; 3]) {
        let mut payload = Vec::new();
        for size in sizes {
            write_varint(size, &mut payload);
        }
        self.set(MEMORY_CONFIG, payload);
    }
}

/// The code section in editable form: one bitmask bit per code byte.
struct EditableCode {
    isa: InstructionSet,
    jump_table: Vec<u32>,
    code: Vec<u8>,
    starts: Vec<bool>,
    /// Overrides the jump-table entry size (else the smallest that fits).
    entry_size: Option<u8>,
}

impl EditableCode {
    fn new(isa: InstructionSet, raw: RawCode) -> Self {
        let starts =
            (0..raw.code.len()).map(|i| raw.bitmask.get(i / 8).is_some_and(|b| b >> (i % 8) & 1 != 0)).collect();
        EditableCode { isa, jump_table: raw.jump_table, code: raw.code, starts, entry_size: None }
    }

    fn raw(&self) -> RawCode {
        let mut bitmask = Vec::new();
        if self.isa.uses_bitmask() {
            bitmask = vec![0u8; self.code.len().div_ceil(8)];
            for (i, _) in self.starts.iter().enumerate().filter(|(_, &set)| set) {
                bitmask[i / 8] |= 1 << (i % 8);
            }
        }
        RawCode { jump_table: self.jump_table.clone(), code: self.code.clone(), bitmask }
    }

    /// The code section payload, laid out as `pvm::program::BlobBuilder` does.
    fn payload(&self) -> Vec<u8> {
        let fitting = self.jump_table.iter().map(|&pc| 4 - pc.leading_zeros() as usize / 8).max().unwrap_or(0);
        let entry_size = self.entry_size.map_or(fitting, usize::from);
        let mut out = Vec::with_capacity(self.code.len() * 9 / 8 + self.jump_table.len() * 4 + 16);
        write_varint(self.jump_table.len() as u32, &mut out);
        out.push(entry_size as u8);
        if self.isa.uses_bitmask() {
            write_varint(self.code.len() as u32, &mut out);
        }
        for &pc in &self.jump_table {
            let bytes = pc.to_le_bytes();
            out.extend_from_slice(&bytes[..entry_size.min(4)]);
            out.resize(out.len() + entry_size.saturating_sub(4), 0);
        }
        out.extend_from_slice(&self.code);
        out.extend_from_slice(&self.raw().bitmask);
        out
    }

    /// The bytes of `instruction`.
    fn bytes_of(&self, instruction: &Instruction) -> Vec<u8> {
        let start = (instruction.pc as usize).min(self.code.len());
        let end = (instruction.next_pc() as usize).clamp(start, self.code.len());
        self.code[start..end].to_vec()
    }

    fn splice(&mut self, at: usize, remove: usize, bytes: &[u8]) {
        let at = at.min(self.code.len());
        let end = at.saturating_add(remove).min(self.code.len());
        self.code.splice(at..end, bytes.iter().copied());
        self.starts.splice(at..end, (0..bytes.len()).map(|i| i == 0));
    }
}

/// For each one- or two-byte raw opcode of the extended encoding (Latest64): the raw
/// bytes and the instruction's total length, found by decoding each one.
fn extended_forms() -> &'static [(Vec<u8>, Opcode, usize)] {
    static FORMS: OnceLock<Vec<(Vec<u8>, Opcode, usize)>> = OnceLock::new();
    FORMS.get_or_init(|| {
        let mut forms = Vec::new();
        let raws = (0..=254u8).map(|b| vec![b]).chain((0..=255u8).map(|b| vec![0xff, b]));
        for raw in raws {
            let mut code = raw.clone();
            code.resize(32, 0);
            let decoded = Code::decode(InstructionSet::Latest64, &RawCode { code, ..RawCode::default() });
            if let Some(first) = decoded.instructions().first() {
                if let Some(opcode) = first.opcode {
                    forms.push((raw, opcode, first.len as usize));
                }
            }
        }
        forms
    })
}

/// A random instruction for `isa` at `pc`; branch targets are picked from `targets`
/// (instruction starts) most of the time.
fn random_instruction(rng: &mut Rng, isa: InstructionSet, pc: u32, targets: &[u32]) -> Vec<u8> {
    let mut target = || if !targets.is_empty() && !rng.one_in(4) { *rng.pick(targets) } else { rng.value() };
    let target = target();
    if !isa.uses_bitmask() {
        let forms = extended_forms();
        if forms.is_empty() {
            return vec![0];
        }
        let (raw, opcode, length) = rng.pick(forms);
        let mut out = raw.clone();
        let arguments = length.saturating_sub(raw.len());
        let relative = target.wrapping_sub(pc).to_le_bytes();
        match opcode.shape() {
            Shape::Offset => out.extend(relative.iter().copied().chain(std::iter::repeat(0)).take(arguments)),
            Shape::RegRegOffset if arguments > 0 => {
                out.push(rng.reg() | rng.reg() << 4);
                out.extend(relative.iter().copied().chain(std::iter::repeat(0)).take(arguments - 1));
            }
            _ => {
                if arguments > 0 {
                    out.push(rng.reg() | rng.reg() << 4);
                }
                let value = rng.value().to_le_bytes();
                out.extend(value.iter().copied().cycle().take(arguments.saturating_sub(1)));
            }
        }
        out.truncate(*length);
        return out;
    }
    for _ in 0..32 {
        let opcode = *rng.pick(Opcode::ALL);
        if !isa.supports(opcode) {
            continue;
        }
        let (imm1, imm2) = match opcode.shape() {
            Shape::Offset | Shape::RegRegOffset => (target, rng.value()),
            Shape::RegImmOffset => (rng.value(), target),
            _ => (rng.value(), rng.value()),
        };
        let args = Args { regs: [rng.reg(), rng.reg(), rng.reg()], imm1, imm2 };
        if let Some(bytes) = encode_instruction(isa, pc, opcode, &args) {
            return bytes;
        }
    }
    vec![0]
}

/// Mutates `data[..size]` in place into a new input of at most `max_size` bytes;
/// returns its length.
pub fn mutate_blob(data: &mut [u8], size: usize, max_size: usize, seed: u32) -> usize {
    let mut rng = Rng(u64::from(seed) ^ 0x5eed_b10b);
    let max_size = max_size.min(data.len());
    let size = size.min(max_size);
    let mutant = match Blob::split(&data[..size]) {
        Some(_) if rng.one_in(20) => Some(generate(&mut rng)),
        Some(blob) if !rng.one_in(10) => mutate(&mut rng, blob),
        None if rng.one_in(2) => Some(generate(&mut rng)),
        _ => None,
    };
    match mutant {
        Some(bytes) if bytes.len() <= max_size => {
            data[..bytes.len()].copy_from_slice(&bytes);
            bytes.len()
        }
        _ => fuzzer_mutate(data, size, max_size),
    }
}

/// A fresh small program: random instructions, an export at 0, sometimes data.
fn generate(rng: &mut Rng) -> Vec<u8> {
    let isa = *rng.pick(&ISAS);
    let mut code = EditableCode { isa, jump_table: Vec::new(), code: Vec::new(), starts: Vec::new(), entry_size: None };
    let count = 1 + rng.below(24);
    let mut pcs = Vec::new();
    for _ in 0..count {
        let pc = code.code.len() as u32;
        pcs.push(pc);
        let bytes = random_instruction(rng, isa, pc, &pcs);
        let at = code.code.len();
        code.splice(at, 0, &bytes);
    }
    for _ in 0..rng.below(3) {
        code.jump_table.push(*rng.pick(&pcs));
    }
    let mut blob = Blob { version: isa.blob_version(), sections: Vec::new(), trailer: Vec::new(), length_delta: 0 };
    if rng.one_in(2) {
        blob.set_memory_config([rng.value() & 0xffff, rng.value() & 0xffff, 0x1000 * rng.below(4) as u32]);
        let mut ro_data = vec![0u8; rng.below(16)];
        ro_data.iter_mut().for_each(|b| *b = rng.byte());
        if !ro_data.is_empty() {
            let mut sizes = blob.memory_config();
            sizes[0] = sizes[0].max(ro_data.len() as u32);
            blob.set_memory_config(sizes);
            blob.set(RO_DATA, ro_data);
        }
    }
    let mut exports = Vec::new();
    write_varint(1, &mut exports);
    write_varint(0, &mut exports);
    write_varint(4, &mut exports);
    exports.extend_from_slice(b"main");
    blob.set(EXPORTS, exports);
    blob.set(CODE, code.payload());
    blob.write()
}

fn mutate(rng: &mut Rng, mut blob: Blob) -> Option<Vec<u8>> {
    match rng.below(100) {
        0..=49 => mutate_code(rng, &mut blob)?,
        50..=59 => mutate_exports(rng, &mut blob)?,
        60..=67 => mutate_memory_config(rng, &mut blob),
        68..=75 => mutate_data(rng, &mut blob),
        76..=81 => mutate_imports(rng, &mut blob)?,
        82..=91 => mutate_section_payload(rng, &mut blob),
        _ => mutate_layout(rng, &mut blob),
    }
    Some(blob.write())
}

/// libFuzzer's byte-level mutation of `bytes`, allowed to grow by `grow` bytes.
fn mutate_bytes(bytes: &mut Vec<u8>, grow: usize) {
    let size = bytes.len();
    bytes.resize(size + grow, 0);
    let new_size = fuzzer_mutate(bytes, size, size + grow);
    bytes.truncate(new_size);
}

fn mutate_code(rng: &mut Rng, blob: &mut Blob) -> Option<()> {
    let isa = blob.isa();
    let Some(raw) = blob.code() else {
        // Not a well-formed code section: mutate its bytes (or make one).
        let mut payload = blob.get(CODE).cloned().unwrap_or_default();
        mutate_bytes(&mut payload, 16);
        blob.set(CODE, payload);
        return Some(());
    };
    let decoded = Code::decode(isa, &raw);
    let instructions = decoded.instructions();
    let pcs: Vec<u32> = instructions.iter().map(|i| i.pc).collect();
    // Where execution starts (the harness runs the first exports and jump-table
    // entries): half of the instructions picked are among the first ones run from there.
    let exports = blob.get(EXPORTS).and_then(|payload| parse_exports(payload)).unwrap_or_default();
    let mut entries: Vec<usize> = (exports.iter().take(2).map(|(pc, _)| *pc))
        .chain(raw.jump_table.iter().take(1).copied())
        .filter_map(|pc| decoded.index_of(pc))
        .collect();
    entries.push(0);
    let mut code = EditableCode::new(isa, raw);
    let pick = |rng: &mut Rng| {
        let index = if rng.one_in(2) { *rng.pick(&entries) + rng.below(16) } else { rng.below(instructions.len()) };
        instructions.get(index).copied()
    };
    match rng.below(16) {
        // Replace an instruction with a random one.
        0..=3 => {
            let at = pick(rng)?;
            let bytes = random_instruction(rng, isa, at.pc, &pcs);
            code.splice(at.pc as usize, at.len as usize, &bytes);
        }
        // Insert a random instruction.
        4..=5 => {
            let pc = pick(rng).map_or(code.code.len() as u32, |i| i.pc);
            let bytes = random_instruction(rng, isa, pc, &pcs);
            code.splice(pc as usize, 0, &bytes);
        }
        // Delete or duplicate an instruction, or swap two.
        6 => {
            let at = pick(rng)?;
            code.splice(at.pc as usize, at.len as usize, &[]);
        }
        7 => {
            let at = pick(rng)?;
            let bytes = code.bytes_of(&at);
            code.splice(at.pc as usize, 0, &bytes);
        }
        8 => {
            let (a, b) = (pick(rng)?, pick(rng)?);
            let (a, b) = if a.pc <= b.pc { (a, b) } else { (b, a) };
            if a.pc != b.pc {
                let (first, second) = (code.bytes_of(&a), code.bytes_of(&b));
                code.splice(b.pc as usize, b.len as usize, &first);
                code.splice(a.pc as usize, a.len as usize, &second);
            }
        }
        // Change one operand byte of an instruction.
        9 => {
            let at = pick(rng)?;
            let index = at.pc as usize + 1 + rng.below(at.len.saturating_sub(1) as usize);
            let value = if rng.one_in(2) { rng.byte() } else { rng.value() as u8 };
            if let Some(byte) = code.code.get_mut(index) {
                *byte = value;
            }
        }
        // Flip a bitmask bit.
        10 => {
            if !code.starts.is_empty() {
                let index = rng.below(code.starts.len());
                code.starts[index] = !code.starts[index];
            }
        }
        // Jump table: change, add or remove an entry; an odd entry size.
        11 => {
            let target = if pcs.is_empty() || rng.one_in(4) { rng.value() } else { *rng.pick(&pcs) };
            if code.jump_table.is_empty() || rng.one_in(3) {
                let at = rng.below(code.jump_table.len() + 1);
                code.jump_table.insert(at, target);
            } else {
                let at = rng.below(code.jump_table.len());
                if rng.one_in(3) {
                    code.jump_table.remove(at);
                } else {
                    code.jump_table[at] = target;
                }
            }
            if rng.one_in(16) {
                code.entry_size = Some(rng.below(6) as u8);
            }
        }
        // Cut the code short, or byte-level mutations of the code bytes.
        12 => {
            let length = rng.below(code.code.len() + 1);
            code.code.truncate(length);
            code.starts.truncate(length);
        }
        _ => {
            let old = code.code.len();
            mutate_bytes(&mut code.code, 16);
            code.starts.resize(code.code.len(), false);
            if code.code.len() > old {
                code.starts[old] = true;
            }
        }
    }
    blob.set(CODE, code.payload());
    Some(())
}

/// Exports as (pc, symbol), if the section parses.
fn parse_exports(payload: &[u8]) -> Option<Vec<(u32, Vec<u8>)>> {
    let (count, mut position) = read_varint(payload)?;
    let mut exports = Vec::new();
    for _ in 0..count.min(1024) {
        let (pc, used) = read_varint(&payload[position..])?;
        position += used;
        let (length, used) = read_varint(&payload[position..])?;
        position += used;
        let symbol = payload.get(position..position.checked_add(length as usize)?)?.to_vec();
        position += symbol.len();
        exports.push((pc, symbol));
    }
    Some(exports)
}

fn mutate_exports(rng: &mut Rng, blob: &mut Blob) -> Option<()> {
    let mut exports = match blob.get(EXPORTS) {
        Some(payload) => parse_exports(payload)?,
        None => Vec::new(),
    };
    let pcs: Vec<u32> = blob
        .code()
        .map(|raw| Code::decode(blob.isa(), &raw).instructions().iter().map(|i| i.pc).collect())
        .unwrap_or_default();
    let pc = if !pcs.is_empty() && !rng.one_in(4) { *rng.pick(&pcs) } else { rng.value() };
    match rng.below(4) {
        0 | 1 if !exports.is_empty() => {
            let at = rng.below(exports.len());
            exports[at].0 = pc;
            // Make it the first export: the harness calls the first few.
            exports.swap(0, at);
        }
        2 if !exports.is_empty() => {
            let at = rng.below(exports.len());
            exports.remove(at);
        }
        _ => {
            let name: &[u8] = if rng.one_in(2) { b"call" } else { b"deploy" };
            exports.insert(0, (pc, name.to_vec()));
        }
    }
    let mut payload = Vec::new();
    write_varint(exports.len() as u32, &mut payload);
    for (pc, symbol) in &exports {
        write_varint(*pc, &mut payload);
        write_varint(symbol.len() as u32, &mut payload);
        payload.extend_from_slice(symbol);
    }
    blob.set(EXPORTS, payload);
    Some(())
}

fn mutate_memory_config(rng: &mut Rng, blob: &mut Blob) {
    let mut sizes = blob.memory_config();
    let index = rng.below(3);
    sizes[index] = match rng.below(4) {
        0 => sizes[index].wrapping_add(0x1000),
        1 => sizes[index].saturating_sub(1 + rng.below(0x1000) as u32),
        _ => rng.value(),
    };
    if rng.one_in(16) {
        blob.remove(MEMORY_CONFIG);
    } else {
        blob.set_memory_config(sizes);
    }
}

fn mutate_data(rng: &mut Rng, blob: &mut Blob) {
    let (id, index) = if rng.one_in(2) { (RO_DATA, 0) } else { (RW_DATA, 1) };
    let mut payload = blob.get(id).cloned().unwrap_or_default();
    if rng.one_in(8) {
        blob.remove(id);
        return;
    }
    mutate_bytes(&mut payload, 64);
    let length = payload.len() as u32;
    blob.set(id, payload);
    // Usually keep the declared size large enough for the payload.
    if !rng.one_in(4) {
        let mut sizes = blob.memory_config();
        if sizes[index] < length {
            sizes[index] = length.next_multiple_of(if rng.one_in(2) { 0x1000 } else { 1 });
            blob.set_memory_config(sizes);
        }
    }
}

/// Imports as symbols, if the section parses.
fn parse_imports(payload: &[u8]) -> Option<Vec<Vec<u8>>> {
    let (count, used) = read_varint(payload)?;
    let count = count as usize;
    if count > 1024 {
        return None;
    }
    let offsets = payload.get(used..used + count * 4)?;
    let symbols = &payload[used + count * 4..];
    let offsets: Vec<usize> =
        offsets.chunks_exact(4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize).collect();
    (0..count)
        .map(|i| symbols.get(offsets[i]..offsets.get(i + 1).copied().unwrap_or(symbols.len())).map(<[u8]>::to_vec))
        .collect()
}

fn mutate_imports(rng: &mut Rng, blob: &mut Blob) -> Option<()> {
    let mut imports = match blob.get(IMPORTS) {
        Some(payload) => parse_imports(payload)?,
        None => Vec::new(),
    };
    let name = rng.pick(IMPORT_NAMES).to_vec();
    match rng.below(3) {
        0 if !imports.is_empty() => {
            let at = rng.below(imports.len());
            imports.remove(at);
        }
        1 if !imports.is_empty() => {
            let at = rng.below(imports.len());
            imports[at] = name;
        }
        _ => {
            let at = rng.below(imports.len() + 1);
            imports.insert(at, name);
        }
    }
    let mut payload = Vec::new();
    write_varint(imports.len() as u32, &mut payload);
    let mut offset = 0u32;
    for symbol in &imports {
        payload.extend_from_slice(&offset.to_le_bytes());
        offset += symbol.len() as u32;
    }
    // Now and then an offset out of order or out of range.
    if !imports.is_empty() && rng.one_in(8) {
        let at = payload.len() - 4 * (1 + rng.below(imports.len()));
        payload[at..at + 4].copy_from_slice(&rng.value().to_le_bytes());
    }
    for symbol in &imports {
        payload.extend_from_slice(symbol);
    }
    blob.set(IMPORTS, payload);
    Some(())
}

/// libFuzzer's byte mutations on one section's payload, its length kept right.
fn mutate_section_payload(rng: &mut Rng, blob: &mut Blob) {
    if blob.sections.is_empty() {
        return;
    }
    let at = rng.below(blob.sections.len());
    mutate_bytes(&mut blob.sections[at].1, 16);
}

/// The header and the section list: instruction set, declared length, and sections
/// dropped, duplicated, swapped or added.
fn mutate_layout(rng: &mut Rng, blob: &mut Blob) {
    let count = blob.sections.len();
    match rng.below(8) {
        0 | 1 => blob.version = if rng.one_in(8) { rng.byte() } else { rng.below(4) as u8 },
        2 => blob.length_delta = rng.below(5) as i64 - 2,
        3 if count > 0 => {
            blob.sections.remove(rng.below(count));
        }
        4 if count > 0 => {
            let at = rng.below(count);
            let section = blob.sections[at].clone();
            blob.sections.insert(at, section);
        }
        5 if count > 1 => {
            let at = rng.below(count - 1);
            blob.sections.swap(at, at + 1);
        }
        6 => {
            let id = if rng.one_in(4) { rng.byte() | 1 } else { 0x80 | rng.byte() };
            let mut payload = vec![0u8; rng.below(8)];
            payload.iter_mut().for_each(|b| *b = rng.byte());
            blob.sections.insert(rng.below(count + 1), (id, payload));
        }
        _ => {
            let mut trailer = vec![0u8; rng.below(3)];
            trailer.iter_mut().for_each(|b| *b = rng.byte());
            blob.trailer = trailer;
        }
    }
}
