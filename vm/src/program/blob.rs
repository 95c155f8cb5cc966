//! The `.polkavm` container: header, ordered sections, imports and exports.
//!
//! Layout: magic `PVM\0`, one instruction-set byte, the blob's total length as a
//! little-endian u64, then sections (`id: u8`, `length: varint`, payload) in a fixed
//! order, ended by section id 0. Unknown sections with the high bit set are optional
//! and skipped; any other unknown id is an error.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;
use core::ops::Range;

use crate::isa::InstructionSet;

/// The four magic bytes every blob starts with.
pub const BLOB_MAGIC: [u8; 4] = *b"PVM\0";

/// The largest code section the reference accepts.
pub const MAX_CODE_SIZE: u32 = 32 * 1024 * 1024;
/// The largest jump table the reference accepts.
pub const MAX_JUMP_TABLE_ENTRIES: u32 = 16 * 1024 * 1024;
/// The largest number of imports the reference accepts.
pub const MAX_IMPORT_COUNT: u32 = 1024;

const SECTION_MEMORY_CONFIG: u8 = 1;
const SECTION_RO_DATA: u8 = 2;
const SECTION_RW_DATA: u8 = 3;
const SECTION_IMPORTS: u8 = 4;
const SECTION_EXPORTS: u8 = 5;
const SECTION_CODE_AND_JUMP_TABLE: u8 = 6;
/// Optional: a hash of the program's interface metadata (its ABI), as polkavm 0.37
/// writes it; tools compare it with the metadata file they are given.
const SECTION_OPT_METADATA_HASH: u8 = 131;
const SECTION_END_OF_FILE: u8 = 0;
const SECTION_OPTIONAL_FLAG: u8 = 0x80;

/// Which part of the blob an error refers to.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Section {
    /// The fixed header (magic, version, length).
    Header,
    /// Section 1: declared memory sizes.
    MemoryConfig,
    /// Section 2: read-only data.
    RoData,
    /// Section 3: read-write data.
    RwData,
    /// Section 4: imports.
    Imports,
    /// Section 5: exports.
    Exports,
    /// Section 6: code and jump table.
    Code,
    /// An optional section that is skipped.
    Optional(u8),
    /// Between sections.
    SectionList,
}

impl fmt::Display for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Section::Header => f.write_str("header"),
            Section::MemoryConfig => f.write_str("memory config section"),
            Section::RoData => f.write_str("RO data section"),
            Section::RwData => f.write_str("RW data section"),
            Section::Imports => f.write_str("imports section"),
            Section::Exports => f.write_str("exports section"),
            Section::Code => f.write_str("code section"),
            Section::Optional(id) => write!(f, "optional section {id}"),
            Section::SectionList => f.write_str("section list"),
        }
    }
}

/// What is wrong with a blob.
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The blob does not start with `PVM\0`.
    BadMagic,
    /// The instruction-set byte is not one this VM knows.
    UnsupportedInstructionSet(u8),
    /// The header's length field does not match the blob's size.
    LengthMismatch {
        /// The length the header declares.
        declared: u64,
        /// The blob's actual size.
        actual: u64,
    },
    /// The blob ends in the middle of something.
    UnexpectedEnd {
        /// How many bytes were needed.
        needed: usize,
    },
    /// A varint is malformed or does not fit in 32 bits.
    BadVarint,
    /// A section id appears where it is not allowed (out of order, duplicated, unknown).
    UnexpectedSection(u8),
    /// A section's contents do not fill its declared length exactly.
    SectionLengthMismatch,
    /// A data payload is longer than the size the memory config declares.
    DataLargerThanDeclared {
        /// Payload length.
        payload: u32,
        /// Declared size.
        declared: u32,
    },
    /// Too many imports.
    TooManyImports(u32),
    /// An import's symbol offsets are out of order or out of range.
    BadImportOffset(u32),
    /// The code section is missing.
    MissingCode,
    /// The jump table has too many entries.
    JumpTableTooLarge(u32),
    /// A jump table entry size other than 0..=4.
    BadJumpTableEntrySize(u8),
    /// The code is longer than the VM allows.
    CodeTooLarge(u32),
    /// The bitmask's length does not match the code's.
    BitmaskLengthMismatch {
        /// Expected length in bytes.
        expected: usize,
        /// Actual length in bytes.
        actual: usize,
    },
    /// The bitmask's padding bits (past the end of the code) are not zero.
    BitmaskPaddingNotZero,
    /// The declared memory does not fit in the 32-bit address space.
    MemoryMap(&'static str),
}

impl fmt::Display for ParseErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadMagic => f.write_str("not a program blob: the magic bytes 'PVM\\0' are missing"),
            Self::UnsupportedInstructionSet(v) => write!(f, "unsupported instruction set / blob version {v}"),
            Self::LengthMismatch { declared, actual } => {
                write!(f, "the header declares {declared} bytes but the blob has {actual}")
            }
            Self::UnexpectedEnd { needed } => write!(f, "unexpected end of data ({needed} more bytes needed)"),
            Self::BadVarint => f.write_str("malformed varint"),
            Self::UnexpectedSection(id) => write!(f, "unexpected section id {id}"),
            Self::SectionLengthMismatch => f.write_str("section contents do not match the section length"),
            Self::DataLargerThanDeclared { payload, declared } => {
                write!(f, "data payload of {payload} bytes exceeds the declared size of {declared} bytes")
            }
            Self::TooManyImports(n) => write!(f, "{n} imports (at most {MAX_IMPORT_COUNT} allowed)"),
            Self::BadImportOffset(i) => write!(f, "import #{i} has an invalid symbol offset"),
            Self::MissingCode => f.write_str("no code section"),
            Self::JumpTableTooLarge(n) => {
                write!(f, "jump table has {n} entries (at most {MAX_JUMP_TABLE_ENTRIES} allowed)")
            }
            Self::BadJumpTableEntrySize(n) => write!(f, "invalid jump table entry size {n} (expected 0..=4)"),
            Self::CodeTooLarge(n) => write!(f, "code is {n} bytes (at most {MAX_CODE_SIZE} allowed)"),
            Self::BitmaskLengthMismatch { expected, actual } => {
                write!(f, "bitmask is {actual} bytes, expected {expected}")
            }
            Self::BitmaskPaddingNotZero => f.write_str("the bitmask is padded with non-zero bits"),
            Self::MemoryMap(why) => write!(f, "invalid memory layout: {why}"),
        }
    }
}

/// A typed blob parse error: what is wrong, in which section, at which byte offset.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ParseError {
    /// What is wrong.
    pub kind: ParseErrorKind,
    /// Where it is.
    pub section: Section,
    /// Byte offset into the blob (or into the raw code payload, for raw programs).
    pub offset: usize,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (in the {}, at byte offset {})", self.kind, self.section, self.offset)
    }
}

#[cfg(feature = "std")]
impl std::error::Error for ParseError {}

/// A byte cursor that reports errors with the section and absolute offset.
pub(crate) struct Reader<'a> {
    data: &'a [u8],
    position: usize,
    pub(crate) section: Section,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(data: &'a [u8], section: Section) -> Self {
        Reader { data, position: 0, section }
    }

    pub(crate) fn position(&self) -> usize {
        self.position
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.position >= self.data.len()
    }

    #[cold]
    pub(crate) fn error(&self, kind: ParseErrorKind) -> ParseError {
        ParseError { kind, section: self.section, offset: self.position }
    }

    pub(crate) fn read_byte(&mut self) -> Result<u8, ParseError> {
        Ok(self.read_slice(1)?[0])
    }

    pub(crate) fn read_slice(&mut self, length: usize) -> Result<&'a [u8], ParseError> {
        let end = self.position.checked_add(length);
        match end.and_then(|end| self.data.get(self.position..end)) {
            Some(slice) => {
                self.position += length;
                Ok(slice)
            }
            None => Err(self.error(ParseErrorKind::UnexpectedEnd {
                needed: length - (self.data.len() - self.position.min(self.data.len())),
            })),
        }
    }

    pub(crate) fn read_range(&mut self, length: usize) -> Result<Range<usize>, ParseError> {
        let start = self.position;
        self.read_slice(length)?;
        Ok(start..self.position)
    }

    /// Reads a varint: the count of leading one bits of the first byte gives the number
    /// of extra bytes (0..=4); the first byte's remaining bits are the value's high bits
    /// and the extra bytes its low bits, little-endian.
    pub(crate) fn read_varint(&mut self) -> Result<u32, ParseError> {
        let start = self.position;
        let first = self.read_byte()?;
        let extra = first.leading_ones() as usize;
        if extra > 4 {
            self.position = start;
            return Err(self.error(ParseErrorKind::BadVarint));
        }
        let rest = self.read_slice(extra)?;
        let mut low: u64 = 0;
        for (i, &byte) in rest.iter().enumerate() {
            low |= u64::from(byte) << (8 * i);
        }
        let high_bits = u64::from(first) & (0x7f >> extra);
        let value = (high_bits << (8 * extra)) | low;
        // Like the reference, reject values that do not fit in 32 bits and
        // non-canonical (overlong) encodings.
        let overlong = extra != 0 && value < (1u64 << (7 * extra));
        match u32::try_from(value) {
            Ok(value) if !overlong => Ok(value),
            _ => {
                self.position = start;
                Err(self.error(ParseErrorKind::BadVarint))
            }
        }
    }
}

/// Encodes `value` as a varint: the count of leading one bits of the first byte is the
/// number of extra bytes (0..=4), the first byte's other bits are the high bits of the
/// value and the extra bytes its low bits, little-endian.
pub fn write_varint(value: u32, output: &mut Vec<u8>) {
    let extra: u32 = match value {
        0..=0x7f => 0,
        0x80..=0x3fff => 1,
        0x4000..=0x1f_ffff => 2,
        0x20_0000..=0x0fff_ffff => 3,
        _ => 4,
    };
    let prefix = !(0xffu8 >> extra);
    let high = if extra == 4 { 0 } else { (value >> (8 * extra)) as u8 };
    output.push(prefix | high);
    output.extend_from_slice(&value.to_le_bytes()[..extra as usize]);
}

/// An exported function: its name and the code offset it starts at.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Export {
    /// The symbol, usually UTF-8.
    pub symbol: Vec<u8>,
    /// The program counter of the first instruction.
    pub pc: u32,
}

impl Export {
    /// The symbol as text (lossy for non-UTF-8 symbols).
    pub fn name(&self) -> alloc::borrow::Cow<'_, str> {
        alloc::string::String::from_utf8_lossy(&self.symbol)
    }
}

/// A parsed, structurally valid program blob. Instructions are decoded separately
/// (see [`crate::program::Code`]).
#[derive(Clone, Debug)]
pub struct ProgramBlob {
    /// The instruction set the code is encoded in.
    pub isa: InstructionSet,
    /// Declared size of the read-only data region.
    pub ro_data_size: u32,
    /// Declared size of the read-write data region.
    pub rw_data_size: u32,
    /// Declared stack size.
    pub stack_size: u32,
    /// Initial read-only data (may be shorter than `ro_data_size`; the rest is zero).
    pub ro_data: Vec<u8>,
    /// Initial read-write data (may be shorter than `rw_data_size`; the rest is zero).
    pub rw_data: Vec<u8>,
    /// Imported symbols; an import's index is its position.
    pub imports: Vec<Vec<u8>>,
    /// Exported functions, in blob order.
    pub exports: Vec<Export>,
    /// The raw code section payload parts (shared with the modules loaded from it).
    pub code: Arc<RawCode>,
    /// The hash of the program's interface metadata, if the blob carries one (see
    /// [`with_metadata_hash`]); empty otherwise.
    pub metadata_hash: Vec<u8>,
}

/// The code section's contents: jump table, code bytes and (for bitmask-encoded
/// instruction sets) the instruction-start bitmask.
#[derive(Clone, Debug, Default)]
pub struct RawCode {
    /// Jump table entries (code offsets), decoded.
    pub jump_table: Vec<u32>,
    /// Instruction bytes.
    pub code: Vec<u8>,
    /// One bit per code byte (LSB first), set where an instruction starts; empty for
    /// the extended encoding.
    pub bitmask: Vec<u8>,
}

impl RawCode {
    /// Parses a code section payload (`varint jump table count`, `u8 entry size`,
    /// `varint code length` (bitmask encodings only), jump table, code, bitmask).
    /// This is also the format of the JAM test vectors' `program` field.
    pub fn parse(payload: &[u8], isa: InstructionSet) -> Result<Self, ParseError> {
        Self::parse_with(Reader::new(payload, Section::Code), isa, 0)
    }

    fn parse_with(mut reader: Reader<'_>, isa: InstructionSet, base: usize) -> Result<Self, ParseError> {
        let rebase = |mut e: ParseError| {
            e.offset += base;
            e
        };
        let entry_count = reader.read_varint().map_err(rebase)?;
        if entry_count > MAX_JUMP_TABLE_ENTRIES {
            return Err(rebase(reader.error(ParseErrorKind::JumpTableTooLarge(entry_count))));
        }
        let entry_size = reader.read_byte().map_err(rebase)?;
        let code_length = if isa.uses_bitmask() { Some(reader.read_varint().map_err(rebase)?) } else { None };
        if entry_size > 4 {
            return Err(rebase(reader.error(ParseErrorKind::BadJumpTableEntrySize(entry_size))));
        }
        let table_bytes = reader.read_slice(entry_count as usize * usize::from(entry_size)).map_err(rebase)?;
        let jump_table = match entry_size {
            // Like the reference: a table of zero-sized entries has no entries (every
            // dynamic jump through it traps).
            0 => Vec::new(),
            1 => jump_table_entries::<1>(table_bytes),
            2 => jump_table_entries::<2>(table_bytes),
            3 => jump_table_entries::<3>(table_bytes),
            _ => jump_table_entries::<4>(table_bytes),
        };
        let remaining = reader.data.len() - reader.position;
        let code_length = code_length.map_or(remaining, |n| n as usize);
        if code_length > MAX_CODE_SIZE as usize {
            return Err(rebase(reader.error(ParseErrorKind::CodeTooLarge(code_length as u32))));
        }
        let code = reader.read_slice(code_length).map_err(rebase)?.to_vec();
        let mut bitmask = Vec::new();
        if isa.uses_bitmask() {
            let expected = code.len().div_ceil(8);
            let actual = reader.data.len() - reader.position;
            if actual != expected {
                return Err(rebase(reader.error(ParseErrorKind::BitmaskLengthMismatch { expected, actual })));
            }
            bitmask = reader.read_slice(actual).map_err(rebase)?.to_vec();
            let padding_bits = expected * 8 - code.len();
            if padding_bits > 0 {
                let last = bitmask[expected - 1];
                if last >> (8 - padding_bits) != 0 {
                    return Err(rebase(reader.error(ParseErrorKind::BitmaskPaddingNotZero)));
                }
            }
        }
        Ok(RawCode { jump_table, code, bitmask })
    }
}

/// Decodes jump table entries of `N` bytes each (little endian). A constant size
/// makes this a simple loop: with the size known only at run time, decoding the
/// table of a large program took half its load time.
fn jump_table_entries<const N: usize>(bytes: &[u8]) -> Vec<u32> {
    bytes
        .chunks_exact(N)
        .map(|entry| {
            let mut word = [0u8; 4];
            word[..N].copy_from_slice(entry);
            u32::from_le_bytes(word)
        })
        .collect()
}

impl ProgramBlob {
    /// A program made of code alone: no data, no stack, no imports or exports (the
    /// shape of a JAM test vector's program).
    pub fn from_code(isa: InstructionSet, code: RawCode) -> Self {
        ProgramBlob {
            isa,
            ro_data_size: 0,
            rw_data_size: 0,
            stack_size: 0,
            ro_data: Vec::new(),
            rw_data: Vec::new(),
            imports: Vec::new(),
            exports: Vec::new(),
            code: Arc::new(code),
            metadata_hash: Vec::new(),
        }
    }

    /// Parses and structurally validates a `.polkavm` blob. Allocation is bounded by
    /// the blob's own size.
    pub fn parse(blob: &[u8]) -> Result<Self, ParseError> {
        let mut reader = Reader::new(blob, Section::Header);
        if reader.read_slice(4).ok() != Some(&BLOB_MAGIC[..]) {
            return Err(ParseError { kind: ParseErrorKind::BadMagic, section: Section::Header, offset: 0 });
        }
        let version = reader.read_byte()?;
        let isa = InstructionSet::from_blob_version(version).ok_or(ParseError {
            kind: ParseErrorKind::UnsupportedInstructionSet(version),
            section: Section::Header,
            offset: 4,
        })?;
        let declared = u64::from_le_bytes(reader.read_slice(8)?.try_into().unwrap_or([0; 8]));
        if declared != blob.len() as u64 {
            return Err(ParseError {
                kind: ParseErrorKind::LengthMismatch { declared, actual: blob.len() as u64 },
                section: Section::Header,
                offset: 5,
            });
        }

        let mut program = ProgramBlob::from_code(isa, RawCode::default());
        let mut have_code = false;
        let mut last_section = 0u8;
        loop {
            reader.section = Section::SectionList;
            let id_offset = reader.position();
            let id = reader.read_byte()?;
            if id == SECTION_END_OF_FILE {
                break;
            }
            let is_optional = id & SECTION_OPTIONAL_FLAG != 0;
            let in_order = id > last_section && id <= SECTION_CODE_AND_JUMP_TABLE;
            if !is_optional && !in_order {
                return Err(ParseError {
                    kind: ParseErrorKind::UnexpectedSection(id),
                    section: Section::SectionList,
                    offset: id_offset,
                });
            }
            let length = reader.read_varint()? as usize;
            let start = reader.position();
            let payload = reader.read_range(length)?;
            let payload = &blob[payload];
            if is_optional {
                if id == SECTION_OPT_METADATA_HASH {
                    program.metadata_hash = payload.to_vec();
                }
                last_section = SECTION_CODE_AND_JUMP_TABLE;
                continue;
            }
            last_section = id;
            match id {
                SECTION_MEMORY_CONFIG => {
                    let mut r = SubReader::new(payload, Section::MemoryConfig, start);
                    program.ro_data_size = r.varint()?;
                    program.rw_data_size = r.varint()?;
                    program.stack_size = r.varint()?;
                    r.expect_end()?;
                }
                SECTION_RO_DATA => program.ro_data = payload.to_vec(),
                SECTION_RW_DATA => program.rw_data = payload.to_vec(),
                SECTION_IMPORTS => program.imports = parse_imports(payload, start)?,
                SECTION_EXPORTS => program.exports = parse_exports(payload, start)?,
                SECTION_CODE_AND_JUMP_TABLE => {
                    program.code = Arc::new(RawCode::parse_with(Reader::new(payload, Section::Code), isa, start)?);
                    have_code = true;
                }
                _ => unreachable!("section ids are checked above"),
            }
        }

        if !have_code {
            return Err(ParseError { kind: ParseErrorKind::MissingCode, section: Section::Code, offset: blob.len() });
        }
        for (payload, declared, section) in [
            (&program.ro_data, program.ro_data_size, Section::RoData),
            (&program.rw_data, program.rw_data_size, Section::RwData),
        ] {
            if payload.len() > declared as usize {
                return Err(ParseError {
                    kind: ParseErrorKind::DataLargerThanDeclared { payload: payload.len() as u32, declared },
                    section,
                    offset: 0,
                });
            }
        }
        Ok(program)
    }

    /// Looks an export up by name.
    pub fn export(&self, name: &str) -> Option<&Export> {
        self.exports.iter().find(|e| e.symbol == name.as_bytes())
    }
}

/// `blob` with its metadata hash set to `hash` (replacing any it had), everything
/// else byte for byte as it was. The section goes where polkavm 0.37 reads it: after
/// the debug sections (ids 128-130), before any other optional section.
pub fn with_metadata_hash(blob: &[u8], hash: &[u8]) -> Result<Vec<u8>, ParseError> {
    ProgramBlob::parse(blob)?;
    // Parsing succeeded, so the walk below stays in bounds and ends at section 0.
    let header = BLOB_MAGIC.len() + 1 + 8;
    let mut out = blob[..header].to_vec();
    let mut reader = Reader::new(blob, Section::SectionList);
    reader.read_range(header)?;
    let mut hash_written = false;
    loop {
        let start = reader.position();
        let id = reader.read_byte()?;
        let goes_before =
            id == SECTION_END_OF_FILE || (id & SECTION_OPTIONAL_FLAG != 0 && id > SECTION_OPT_METADATA_HASH);
        if goes_before && !hash_written {
            out.push(SECTION_OPT_METADATA_HASH);
            write_varint(hash.len() as u32, &mut out);
            out.extend_from_slice(hash);
            hash_written = true;
        }
        if id == SECTION_END_OF_FILE {
            out.extend_from_slice(&blob[start..]);
            break;
        }
        let length = reader.read_varint()? as usize;
        reader.read_range(length)?;
        if id != SECTION_OPT_METADATA_HASH {
            out.extend_from_slice(&blob[start..reader.position()]);
        }
    }
    let length = out.len() as u64;
    out[BLOB_MAGIC.len() + 1..header].copy_from_slice(&length.to_le_bytes());
    Ok(out)
}

/// A reader over one section's payload whose errors carry absolute blob offsets.
struct SubReader<'a> {
    reader: Reader<'a>,
    base: usize,
}

impl<'a> SubReader<'a> {
    fn new(data: &'a [u8], section: Section, base: usize) -> Self {
        SubReader { reader: Reader::new(data, section), base }
    }

    fn rebase(&self, mut error: ParseError) -> ParseError {
        error.offset += self.base;
        error
    }

    fn varint(&mut self) -> Result<u32, ParseError> {
        self.reader.read_varint().map_err(|e| self.rebase(e))
    }

    fn slice(&mut self, length: usize) -> Result<&'a [u8], ParseError> {
        self.reader.read_slice(length).map_err(|e| self.rebase(e))
    }

    fn expect_end(&self) -> Result<(), ParseError> {
        if self.reader.is_empty() {
            Ok(())
        } else {
            Err(self.rebase(self.reader.error(ParseErrorKind::SectionLengthMismatch)))
        }
    }
}

fn parse_imports(payload: &[u8], base: usize) -> Result<Vec<Vec<u8>>, ParseError> {
    let mut r = SubReader::new(payload, Section::Imports, base);
    let count = r.varint()?;
    if count > MAX_IMPORT_COUNT {
        return Err(r.rebase(r.reader.error(ParseErrorKind::TooManyImports(count))));
    }
    let offsets = r.slice(count as usize * 4)?;
    let symbols = &payload[r.reader.position()..];
    let offsets: Vec<usize> =
        offsets.chunks_exact(4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize).collect();
    let mut imports = Vec::with_capacity(offsets.len());
    for (index, &start) in offsets.iter().enumerate() {
        let end = offsets.get(index + 1).copied().unwrap_or(symbols.len());
        match symbols.get(start..end) {
            Some(symbol) => imports.push(symbol.to_vec()),
            None => {
                return Err(ParseError {
                    kind: ParseErrorKind::BadImportOffset(index as u32),
                    section: Section::Imports,
                    offset: base + r.reader.position(),
                })
            }
        }
    }
    Ok(imports)
}

fn parse_exports(payload: &[u8], base: usize) -> Result<Vec<Export>, ParseError> {
    let mut r = SubReader::new(payload, Section::Exports, base);
    let count = r.varint()?;
    // Each export takes at least two bytes, so this bounds the allocation by the input.
    let mut exports = Vec::with_capacity((count as usize).min(payload.len() / 2));
    for _ in 0..count {
        let pc = r.varint()?;
        let length = r.varint()? as usize;
        let symbol = r.slice(length)?.to_vec();
        exports.push(Export { symbol, pc });
    }
    r.expect_end()?;
    Ok(exports)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varint_round_trip() {
        for value in [0, 1, 0x7f, 0x80, 0x3fff, 0x4000, 0x1f_ffff, 0x20_0000, 0x0fff_ffff, 0x1000_0000, u32::MAX] {
            let mut out = Vec::new();
            write_varint(value, &mut out);
            let mut reader = Reader::new(&out, Section::Header);
            assert_eq!(reader.read_varint().unwrap(), value, "value {value:#x}");
            assert!(reader.is_empty());
        }
    }

    #[test]
    fn varint_encodings_match_the_format() {
        let mut out = Vec::new();
        write_varint(0x2000, &mut out);
        assert_eq!(out, [0xa0, 0x00]);
    }

    #[test]
    fn truncated_and_bad_blobs_are_errors() {
        assert_eq!(ProgramBlob::parse(b"").unwrap_err().kind, ParseErrorKind::BadMagic);
        assert_eq!(ProgramBlob::parse(b"PVM\0").unwrap_err().kind, ParseErrorKind::UnexpectedEnd { needed: 1 });
        let mut blob = b"PVM\0\x09".to_vec();
        blob.extend_from_slice(&14u64.to_le_bytes());
        blob.push(0);
        assert_eq!(ProgramBlob::parse(&blob).unwrap_err().kind, ParseErrorKind::UnsupportedInstructionSet(9));
        blob[4] = 0;
        assert_eq!(ProgramBlob::parse(&blob).unwrap_err().kind, ParseErrorKind::MissingCode);
    }
}
