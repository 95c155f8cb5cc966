//! The linker's error type: every way an input can be rejected, each naming the
//! section, symbol or address at fault.

use pvm::InstructionSet;

/// Why an ELF file could not be linked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LinkError {
    /// The file is not a parsable ELF file.
    // The cause is in the message and deliberately not a `source()`: callers that print
    // the whole chain (anyhow's `{:#}`) would print it twice.
    #[error("failed to parse the ELF file: {0}")]
    Elf(object::read::Error),
    /// The file is an ELF file, but not a little-endian RISC-V one.
    #[error("unsupported ELF file: {0}")]
    NotRiscV(String),
    /// The file is an unlinked relocatable object (`ET_REL`) rather than a linked program.
    #[error(
        "the input is a relocatable object file (ET_REL), not a linked program: link it into an executable \
         first (the PolkaVM targets produce linked ET_DYN/ET_EXEC files with --emit-relocs)"
    )]
    RelocatableObject,
    /// The requested instruction set does not fit the ELF file.
    #[error("cannot link a {bits}-bit ELF file for the {isa} instruction set{hint}")]
    WrongInstructionSet {
        /// The ELF's register width.
        bits: u32,
        /// The requested instruction set.
        isa: InstructionSet,
        /// Extra explanation.
        hint: &'static str,
    },
    /// An allocated section the linker does not know what to do with.
    #[error("unsupported section '{0}'")]
    UnsupportedSection(String),
    /// A section with the wrong access flags (e.g. a writable `.rodata`).
    #[error("section '{name}' has unexpected flags: {reason}")]
    BadSectionFlags {
        /// The section.
        name: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// The program has no code.
    #[error("the program contains no code")]
    NoCode,
    /// An instruction the linker does not understand.
    #[error("unsupported instruction 0x{raw:08x} at address 0x{address:x}")]
    UnsupportedInstruction {
        /// The raw instruction bits.
        raw: u32,
        /// Its ELF address.
        address: u64,
    },
    /// A RISC-V register outside the RV-E subset that maps to PVM registers.
    #[error("register x{reg} at address 0x{address:x} has no PVM counterpart (only ra, sp, t0-t2, s0-s1, a0-a5 are supported)")]
    UnsupportedRegister {
        /// The register number.
        reg: u8,
        /// The instruction's ELF address.
        address: u64,
    },
    /// A valid instruction (or operand combination) this linker cannot lower yet.
    #[error("cannot translate the instruction at address 0x{address:x}: {reason}")]
    Untranslatable {
        /// The instruction's ELF address.
        address: u64,
        /// Why.
        reason: String,
    },
    /// The chosen instruction set lacks an instruction the program needs.
    #[error("instruction '{opcode}' (needed at address 0x{address:x}) is not part of the {isa} instruction set")]
    MissingOpcode {
        /// The PVM opcode.
        opcode: pvm::Opcode,
        /// The instruction set.
        isa: InstructionSet,
        /// The ELF address that needs it.
        address: u64,
    },
    /// A relocation the linker does not support, or one that is malformed.
    #[error("unsupported relocation in section '{section}' at address 0x{address:x}: {reason}")]
    Relocation {
        /// The section holding the relocation site.
        section: String,
        /// The relocation site's ELF address.
        address: u64,
        /// What is wrong.
        reason: String,
    },
    /// A code address used as a jump target or taken as a value does not start an instruction.
    #[error("address 0x{0:x} is used as a code address but is not the start of an instruction")]
    BadCodeAddress(u64),
    /// An address does not belong to any section the program is made of.
    #[error("address 0x{address:x} (referenced from 0x{from:x}) is not inside any code or data section")]
    DanglingAddress {
        /// The address.
        address: u64,
        /// Where it was referenced.
        from: u64,
    },
    /// Malformed `.polkavm_exports` / `.polkavm_metadata` / import data.
    #[error("invalid import/export metadata at address 0x{address:x}: {reason}")]
    Metadata {
        /// Where.
        address: u64,
        /// What is wrong.
        reason: String,
    },
    /// Two imports conflict.
    #[error("conflicting imports: {0}")]
    Imports(String),
    /// Malformed `.polkavm_min_stack_size`.
    #[error("section '.polkavm_min_stack_size' has a size that is not a multiple of 4")]
    BadStackSize,
    /// The program's memory does not fit the VM's address space.
    #[error("memory layout error: {0}")]
    Memory(&'static str),
    /// A size or address that does not fit in 32 bits.
    #[error("{0} does not fit in 32 bits")]
    Overflow(&'static str),
    /// The linker broke one of its own rules: a bug, reported rather than turned into a
    /// wrong blob.
    #[error("internal linker error: {0} (please report this, with the ELF file)")]
    Internal(&'static str),
}

impl From<object::read::Error> for LinkError {
    fn from(error: object::read::Error) -> LinkError {
        LinkError::Elf(error)
    }
}

/// A `Result` with [`LinkError`].
pub type Result<T, E = LinkError> = core::result::Result<T, E>;
