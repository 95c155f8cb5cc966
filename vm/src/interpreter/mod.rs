//! The interpreter backend: programs are translated once into a dispatch-friendly
//! form ([`compile`]) and run by a `no_std` executor ([`exec`]).

pub(crate) mod compile;
pub(crate) mod exec;

pub(crate) use compile::Compiled;
pub(crate) use exec::Machine;
pub use exec::{Interrupt, TrapReason};

/// See [`crate::superinstruction_pairs`].
pub(crate) fn superinstruction_pairs() -> alloc::vec::Vec<(alloc::string::String, alloc::string::String)> {
    compile::Kind::SUPERINSTRUCTIONS
        .iter()
        .filter_map(|kind| kind.parts())
        .map(|(first, second)| (alloc::format!("{first:?}"), alloc::format!("{second:?}")))
        .collect()
}
