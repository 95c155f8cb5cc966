//! The guest programs from `contracts/`, built and linked into PolkaVM blobs
//! by this crate's build script.
//!
//! ```no_run
//! let blob = guest_programs::blob("hello-world", guest_programs::Isa::Latest64).unwrap();
//! assert!(!blob.is_empty());
//! ```

/// The instruction set a blob was linked for.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum Isa {
    /// 64-bit, without the newer instructions (e.g. `memset`); only some programs link for it.
    ReviveV1,
    /// The latest 32-bit instruction set.
    Latest32,
    /// The latest 64-bit instruction set.
    Latest64,
}

impl Isa {
    /// Every instruction set, in declaration order.
    pub const ALL: [Isa; 3] = [Isa::ReviveV1, Isa::Latest32, Isa::Latest64];

    /// A short, lowercase name, e.g. `"latest64"`.
    pub fn name(self) -> &'static str {
        match self {
            Isa::ReviveV1 => "revivev1",
            Isa::Latest32 => "latest32",
            Isa::Latest64 => "latest64",
        }
    }

    /// Whether programs for this instruction set have 64-bit registers.
    pub fn is_64_bit(self) -> bool {
        !matches!(self, Isa::Latest32)
    }
}

impl core::fmt::Display for Isa {
    fn fmt(&self, fmt: &mut core::fmt::Formatter) -> core::fmt::Result {
        fmt.write_str(self.name())
    }
}

mod generated {
    use super::Isa;
    include!(concat!(env!("OUT_DIR"), "/blobs.rs"));
}

/// The names of all guest programs (the crate names in `contracts/`), sorted.
pub fn programs() -> &'static [&'static str] {
    generated::PROGRAMS
}

/// The blob of `program` linked for `isa`, or `None` if the program does not
/// exist or could not be linked for that instruction set (see [`link_error`]).
pub fn blob(program: &str, isa: Isa) -> Option<&'static [u8]> {
    generated::BLOBS.iter().find(|&&(name, blob_isa, _)| name == program && blob_isa == isa).map(|&(_, _, blob)| blob)
}

/// Why `program` has no blob for `isa`: the linker's error message.
pub fn link_error(program: &str, isa: Isa) -> Option<&'static str> {
    generated::LINK_ERRORS
        .iter()
        .find(|&&(name, error_isa, _)| name == program && error_isa == isa)
        .map(|&(_, _, error)| error)
}
