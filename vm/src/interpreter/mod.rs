//! The interpreter backend: programs are translated once into a dispatch-friendly
//! form ([`compile`]) and run by a `no_std` executor ([`exec`]).

pub(crate) mod compile;
pub(crate) mod exec;

pub(crate) use compile::Compiled;
pub(crate) use exec::Machine;
pub use exec::{Interrupt, TrapReason};
