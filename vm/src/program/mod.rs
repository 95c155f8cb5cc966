//! Program blobs: the container format and the decoded code.

mod blob;
mod code;
mod layout;

pub use blob::{
    with_metadata_hash, write_varint, Export, ParseError, ParseErrorKind, ProgramBlob, RawCode, Section, BLOB_MAGIC,
};
pub use blob::{MAX_CODE_SIZE, MAX_IMPORT_COUNT, MAX_JUMP_TABLE_ENTRIES};
pub use code::{Args, Code, Disassembly, Instruction, EXTENDED_BLOCK_SIZE};
pub(crate) use layout::Layout;
mod writer;
pub use writer::{encode_instruction, BlobBuilder};
