//! The interpreter backend: programs are translated into a dispatch-friendly form
//! ([`compile`]), a basic block at a time when execution first reaches it, and run by
//! a `no_std` executor ([`exec`]); [`Instance`] is its side of the backend interface
//! ([`crate::backend::BackendInstance`]).

pub(crate) mod compile;
pub(crate) mod exec;
mod instance;

pub(crate) use compile::Source;
pub(crate) use instance::Instance;

/// See [`crate::superinstruction_pairs`].
pub(crate) fn superinstruction_pairs() -> alloc::vec::Vec<(alloc::string::String, alloc::string::String)> {
    compile::Kind::SUPERINSTRUCTIONS
        .iter()
        .filter_map(|kind| kind.parts())
        .map(|(first, second)| (alloc::format!("{first:?}"), alloc::format!("{second:?}")))
        .collect()
}
